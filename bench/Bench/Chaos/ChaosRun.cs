using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace SharingHub.Bench.Chaos;

/// <summary>One look at the hub: seconds since the run began, the run's records stored and matches found so far.</summary>
internal sealed record ChaosSample(double Seconds, long Stored, long Matches);

/// <summary>
/// Counts the run's stored records and matches once a second, on a connection of its own each time: while PostgreSQL
/// restarts a look fails and is skipped (the gap shows in the samples).
/// </summary>
internal sealed class ChaosSampler(NpgsqlDataSource data, string[] agencies, Stopwatch clock)
{
    private readonly List<ChaosSample> _samples = [];
    private volatile bool _stopped;
    private long _latest;

    /// <summary>The samples taken, in order.</summary>
    public IReadOnlyList<ChaosSample> Samples => _samples;

    /// <summary>The stored count last seen.</summary>
    public long Latest => Interlocked.Read(ref _latest);

    public void Stop() => _stopped = true;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!_stopped)
        {
            try
            {
                await using var command = data.CreateCommand("""
                    SELECT (SELECT count(*) FROM records WHERE agency_code = ANY(@a)),
                           (SELECT count(*) FROM matches WHERE agency_a = ANY(@a) AND agency_b = ANY(@a))
                    """);
                command.Parameters.AddWithValue("a", agencies);
                command.CommandTimeout = 5;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                var sample = new ChaosSample(clock.Elapsed.TotalSeconds, reader.GetInt64(0), reader.GetInt64(1));
                Interlocked.Exchange(ref _latest, sample.Stored);
                _samples.Add(sample);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // PostgreSQL is restarting: no sample this second.
            }
            await Task.Delay(1000, cancellationToken);
        }
    }
}

/// <summary>Runs the fault steps through <c>./hub</c> and keeps when each began and ended.</summary>
internal sealed class FaultRunner(string hub, Stopwatch clock)
{
    private readonly List<string> _log = [];
    private readonly Dictionary<string, double> _marks = new(StringComparer.Ordinal);

    /// <summary>One line per step, for the report.</summary>
    public IReadOnlyList<string> Log => _log;

    /// <summary>The second a mark was set (<see cref="Mark"/>), or null.</summary>
    public double? At(string mark) => _marks.TryGetValue(mark, out var at) ? at : null;

    public void Mark(string name)
    {
        _marks[name] = clock.Elapsed.TotalSeconds;
        _log.Add(string.Create(CultureInfo.InvariantCulture, $"fault  {clock.Elapsed.TotalSeconds,7:0.0} s  {name}"));
    }

    public async Task RunAsync(string label, string[] arguments, CancellationToken cancellationToken)
    {
        var started = clock.Elapsed.TotalSeconds;
        var start = new ProcessStartInfo(hub) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not run {hub}");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(cancellationToken);
        var text = (await output + await errors).Trim();
        if (process.ExitCode != 0)
        {
            throw new BenchFailedException($"fault step '{label}' (./hub {string.Join(' ', arguments)}) failed ({process.ExitCode}): {text}");
        }
        _marks[label] = started;
        _log.Add(string.Create(CultureInfo.InvariantCulture,
            $"fault  {started,7:0.0} s  {label} (took {clock.Elapsed.TotalSeconds - started:0.0} s)"));
    }
}

/// <summary>What the hub holds of the run, read back for <see cref="ChaosLedger"/>.</summary>
internal static class ChaosReadBack
{
    public static async Task<List<StoredRecord>> RecordsAsync(NpgsqlDataSource data, string[] agencies, CancellationToken cancellationToken)
    {
        var list = new List<StoredRecord>();
        await using var command = data.CreateCommand(
            "SELECT agency_code, local_id, count(*)::int FROM records WHERE agency_code = ANY(@a) GROUP BY agency_code, local_id");
        command.Parameters.AddWithValue("a", agencies);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new StoredRecord(reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
        }
        return list;
    }

    /// <summary>Every match with a record of the run's agencies on either side (with another agency's too: unexpected).</summary>
    public static async Task<List<FoundMatch>> MatchesAsync(NpgsqlDataSource data, string[] agencies, CancellationToken cancellationToken)
    {
        var list = new List<FoundMatch>();
        await using var command = data.CreateCommand("""
            SELECT m.id, ra.agency_code, ra.local_id, rb.agency_code, rb.local_id, m.band
            FROM matches m JOIN records ra ON ra.id = m.record_a_id JOIN records rb ON rb.id = m.record_b_id
            WHERE m.agency_a = ANY(@a) OR m.agency_b = ANY(@a)
            """);
        command.Parameters.AddWithValue("a", agencies);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new FoundMatch(reader.GetInt64(0),
                ExpectedMatch.Of(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return list;
    }

    /// <summary>The run's agencies' deconfliction and protective alerts (escalations are raised later, at any time).</summary>
    public static async Task<List<RaisedAlert>> AlertsAsync(NpgsqlDataSource data, string[] agencies, CancellationToken cancellationToken)
    {
        var list = new List<RaisedAlert>();
        await using var command = data.CreateCommand("""
            SELECT id, match_id, agency_code, audience, kind FROM alerts
            WHERE agency_code = ANY(@a) AND kind IN ('Deconfliction', 'Protective')
            """);
        command.Parameters.AddWithValue("a", agencies);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new RaisedAlert(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        }
        return list;
    }
}

/// <summary>The chaos run's printed figures.</summary>
internal static class ChaosReport
{
    /// <summary>The stored rate before, during and after the faults, the longest stall and the recovery time.</summary>
    public static void Print(IReadOnlyList<ChaosSample> samples, FaultRunner faults, TimeSpan published, TimeSpan settled, int records)
    {
        var begin = faults.At("faults begin") ?? 0;
        var end = faults.At("all running again") ?? begin;
        var complete = samples.FirstOrDefault(s => s.Stored >= records)?.Seconds ?? samples[^1].Seconds;
        var first = samples.FirstOrDefault(s => s.Stored > 0)?.Seconds ?? 0;
        var before = Rate(samples, first, begin);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stored before      {before:N0} records/s  ({first:0.0}-{begin:0.0} s, {StoredAt(samples, begin):N0} stored when the faults began)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stored during      {Rate(samples, begin, end):N0} records/s  ({begin:0.0}-{end:0.0} s: node stopped, Gateway killed, PostgreSQL restarted)"));
        Console.WriteLine(complete > end
            ? string.Create(CultureInfo.InvariantCulture, $"stored after       {Rate(samples, end, complete):N0} records/s  ({end:0.0}-{complete:0.0} s, until the last record was stored)")
            : string.Create(CultureInfo.InvariantCulture, $"stored after       - (every record was stored by {complete:0.0} s, before the last service was back)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"longest stall      {LongestStall(samples, begin, complete):0.0} s without a record stored (from the first fault to the last record)"));
        var recovered = Recovery(samples, end, complete, before);
        Console.WriteLine(recovered is { } r
            ? string.Create(CultureInfo.InvariantCulture, $"recovery           {r:0.0} s from all services running again to a 5 s stored rate of 80 % of the rate before (or the last record stored)")
            : "recovery           not measured (no samples after the faults)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"completion         the connectors done at {published.TotalSeconds:0.0} s; every record stored by {complete:0.0} s; matched and every alert relayed by {settled.TotalSeconds:0.0} s"));
    }

    /// <summary>The checks' counts, and the first few of anything that failed.</summary>
    public static void Print(RecordCheck records, MatchCheck matches, AlertCheck alerts, long drainedRepeats)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"records            {records.Expected:N0} published, {records.Stored:N0} stored rows; lost {records.Lost.Count}, duplicated {records.Duplicated.Count}, unknown {records.Unknown.Count}{Verdict(records.Passed)}"));
        Some("  lost", records.Lost);
        Some("  duplicated", records.Duplicated);
        Some("  unknown", records.Unknown);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"matches            {matches.Expected:N0} expected, {matches.Found:N0} found; missing {matches.Missing.Count}, duplicated {matches.Duplicated.Count}, unexpected {matches.Unexpected.Count}{Verdict(matches.Passed)}"));
        Some("  missing", matches.Missing.Select(m => m.ToString()));
        Some("  duplicated", matches.Duplicated.Select(m => m.ToString()));
        Some("  unexpected", matches.Unexpected.Select(m => $"{m.Pair} ({m.Band ?? "no band"})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"alerts             {alerts.Raised:N0} raised (deconfliction, protective), {alerts.Delivered:N0} drained; raised twice {alerts.RaisedTwice.Count}, lost {alerts.Lost.Count}, delivered twice {alerts.DeliveredTwice.Count}, unknown {alerts.DeliveredUnknown.Count}, matches unalerted {alerts.Unalerted.Count}; the drains dropped {drainedRepeats} repeats{Verdict(alerts.Passed)}"));
        Some("  raised twice", alerts.RaisedTwice);
        Some("  lost", alerts.Lost.Select(id => id.ToString(CultureInfo.InvariantCulture)));
        Some("  delivered twice", alerts.DeliveredTwice);
        Some("  unknown", alerts.DeliveredUnknown);
        Some("  unalerted", alerts.Unalerted);
        Console.WriteLine(records.Passed && matches.Passed && alerts.Passed
            ? "result             PASS: nothing lost, nothing duplicated"
            : "result             FAIL: see the lines above");
    }

    private static string Verdict(bool passed) => passed ? "" : "  <-- FAIL";

    private static void Some(string label, IEnumerable<string> items)
    {
        var list = items.Take(10).ToList();
        if (list.Count > 0)
        {
            Console.WriteLine($"{label,-18} {string.Join("; ", list)}");
        }
    }

    private static long StoredAt(IReadOnlyList<ChaosSample> samples, double seconds) =>
        samples.LastOrDefault(s => s.Seconds <= seconds)?.Stored ?? 0;

    private static double Rate(IReadOnlyList<ChaosSample> samples, double from, double to) =>
        to - from <= 0 ? 0 : (StoredAt(samples, to) - StoredAt(samples, from)) / (to - from);

    private static double LongestStall(IReadOnlyList<ChaosSample> samples, double from, double to)
    {
        var longest = 0.0;
        var since = from;
        var last = StoredAt(samples, from);
        foreach (var sample in samples.Where(s => s.Seconds > from && s.Seconds <= to))
        {
            if (sample.Stored > last)
            {
                longest = Math.Max(longest, sample.Seconds - since);
                since = sample.Seconds;
                last = sample.Stored;
            }
        }
        return longest;
    }

    // From `end` (all services running again): the first second at which the last 5 s stored at 80 % of the rate
    // before the faults, or the last record's storage if that came first.
    private static double? Recovery(IReadOnlyList<ChaosSample> samples, double end, double complete, double before)
    {
        if (complete <= end)
        {
            return 0;
        }
        foreach (var sample in samples.Where(s => s.Seconds >= end + 5))
        {
            if (sample.Seconds >= complete || Rate(samples, sample.Seconds - 5, sample.Seconds) >= 0.8 * before)
            {
                return sample.Seconds - end;
            }
        }
        return samples.Any(s => s.Seconds > end) ? complete - end : null;
    }
}
