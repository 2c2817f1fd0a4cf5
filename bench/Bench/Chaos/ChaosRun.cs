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
    /// <summary>The mark set when the first fault begins.</summary>
    public const string Begin = "faults begin";

    /// <summary>The step that brings PostgreSQL back (its end is when the recovery is measured from).</summary>
    public const string DatabaseBack = "start PostgreSQL";

    /// <summary>The mark set when every service runs again.</summary>
    public const string End = "all running again";

    private readonly List<(double At, string Line)> _log = [];
    private readonly Dictionary<string, double> _marks = new(StringComparer.Ordinal);

    /// <summary>One line per step, for the report, in the order they began.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log.OrderBy(l => l.At).Select(l => l.Line)];
            }
        }
    }

    /// <summary>The second a mark was set or a step began (<see cref="Mark"/>, <see cref="RunAsync"/>), or null.</summary>
    public double? At(string mark)
    {
        lock (_log)
        {
            return _marks.TryGetValue(mark, out var at) ? at : null;
        }
    }

    /// <summary>The second a step (<see cref="RunAsync"/>) ended, or null.</summary>
    public double? Ended(string step) => At(step + " (end)");

    public void Mark(string name) => Add(name, clock.Elapsed.TotalSeconds, "");

    // A mark, and the step's line when it has one (a step's end has none: its line says how long it took).
    private void Add(string mark, double at, string detail)
    {
        lock (_log)
        {
            _marks[mark] = at;
            if (!mark.EndsWith(" (end)", StringComparison.Ordinal))
            {
                _log.Add((at, string.Create(CultureInfo.InvariantCulture, $"fault  {at,7:0.0} s  {mark}{detail}")));
            }
        }
    }

    public async Task RunAsync(string label, string[] arguments, CancellationToken cancellationToken)
    {
        var started = clock.Elapsed.TotalSeconds;
        var (exitCode, output) = await BenchProcess.RunAsync(hub, arguments, cancellationToken);
        if (exitCode != 0)
        {
            throw new BenchFailedException($"fault step '{label}' (./hub {string.Join(' ', arguments)}) failed ({exitCode}): {output.Trim()}");
        }
        var ended = clock.Elapsed.TotalSeconds;
        Add(label + " (end)", ended, "");
        Add(label, started, string.Create(CultureInfo.InvariantCulture, $" (took {ended - started:0.0} s)"));
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
        var begin = faults.At(FaultRunner.Begin) ?? 0;
        var end = faults.At(FaultRunner.End) ?? begin;
        var databaseBack = faults.Ended(FaultRunner.DatabaseBack) ?? end;
        var complete = samples.FirstOrDefault(s => s.Stored >= records)?.Seconds ?? samples[^1].Seconds;
        var first = samples.FirstOrDefault(s => s.Stored > 0)?.Seconds ?? 0;
        var before = Rate(samples, first, begin);
        var duringEnd = Math.Min(end, complete);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stored before      {before:N0} records/s  ({first:0.0}-{begin:0.0} s, {StoredAt(samples, begin):N0} stored when the faults began)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stored during      {Rate(samples, begin, duringEnd):N0} records/s  ({begin:0.0}-{duringEnd:0.0} s{(complete < end ? ", when the last record was stored" : "")}: node stopping and stopped, Gateway killed, PostgreSQL restarted)"));
        Console.WriteLine(complete > end
            ? string.Create(CultureInfo.InvariantCulture, $"stored after       {Rate(samples, end, complete):N0} records/s  ({end:0.0}-{complete:0.0} s, until the last record was stored)")
            : string.Create(CultureInfo.InvariantCulture, $"stored after       - (every record was stored by {complete:0.0} s, before the node and the Gateway were back at {end:0.0} s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"longest stall      {LongestStall(samples, begin, complete):0.0} s without a record stored (from the first fault to the last record)"));
        var recovered = Recovery(samples, databaseBack, complete, before);
        Console.WriteLine(recovered is { } r
            ? string.Create(CultureInfo.InvariantCulture, $"recovery           {r:0.0} s from PostgreSQL's return ({databaseBack:0.0} s) to a 5 s stored rate of 80 % of the rate before the faults{(databaseBack + r >= complete ? " (reached only with the last record stored)" : "")}")
            : string.Create(CultureInfo.InvariantCulture, $"recovery           - (every record was stored by {complete:0.0} s, before PostgreSQL was back)"));
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

    // From `from` (PostgreSQL back): the first second at which the last 5 s stored at 80 % of the rate before the
    // faults, or the last record's storage if that came first. Null when every record was stored before `from`.
    private static double? Recovery(IReadOnlyList<ChaosSample> samples, double from, double complete, double before)
    {
        if (complete <= from)
        {
            return null;
        }
        foreach (var sample in samples.Where(s => s.Seconds >= from + 5))
        {
            if (sample.Seconds >= complete || Rate(samples, sample.Seconds - 5, sample.Seconds) >= 0.8 * before)
            {
                return sample.Seconds - from;
            }
        }
        return complete - from;
    }
}
