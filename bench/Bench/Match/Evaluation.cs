using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsvHelper;
using CsvHelper.Configuration;
using Npgsql;

namespace SharingHub.Bench.Match;

/// <summary>
/// <c>./hub evaluate --file F [--mapping M] --truth COLUMN [--truth-pattern REGEX] [--agencies K | --split-by COLUMN] [--seed S] [--misses FILE] [--background FILE] [--keep]</c>:
/// measures person-identity matching on the REAL path. It registers fresh agencies through <c>./hub agency add</c>,
/// splits the file's rows among them (at random, or by a column), replaces the truth column with opaque row numbers
/// (the truth never leaves this program), publishes each agency's share through <c>./hub publish</c> (the connector),
/// waits until every record is stored and no matching is pending, and compares the stored person-identity matches
/// with the truth. Only cross-agency pairs count. The person records' local ids must contain the truth column's
/// value (as <c>P-{rec_id}</c> does), so that a match can be traced back to its rows. <c>--misses FILE</c> writes the
/// pairs it got wrong and the records the connector rejected, by truth value and agency only (never a name), for a
/// breakdown by cause (bench/border/breakdown.mjs). <c>--background FILE</c> (a border-generator file of another
/// population) first stores that population as the rest of the hub (<see cref="BorderBackground"/>): the name counts
/// are then the whole hub's, and every match between an evaluated record and a background record is a false positive
/// (different people by construction), counted in the precision.
/// </summary>
internal static partial class Evaluation
{
    public static async Task<int> RunAsync(string[] arguments)
    {
        var args = new BenchArgs(arguments, "keep");
        var keep = args.Flag("keep");
        var file = args.Required("file");
        var mapping = args.Get("mapping");
        var truthColumn = args.Required("truth");
        var truthPattern = args.Get("truth-pattern") is { } pattern ? new Regex(pattern, RegexOptions.CultureInvariant) : null;
        var splitBy = args.Get("split-by");
        var agencies = args.Int("agencies", 3);
        var seed = args.Int("seed", 1);
        var missesFile = args.Get("misses");
        var backgroundFile = args.Get("background");
        var hub = Path.Combine(BenchArgs.Env("HUB_ROOT"), "hub");
        var connectionString = BenchArgs.Env("ConnectionStrings__hubdb");
        if (mapping is null)
        {
            throw new ArgumentException("--mapping is required: evaluate reads CSV files through a mapping (e.g. bench/data/febrl.mapping.json)");
        }
        var delimiter = MappingDelimiter(mapping);

        // Read the file, keep the truth here, and give every row an opaque id in the truth column's place.
        var (header, rows) = ReadCsv(file, delimiter);
        var truthIndex = Array.IndexOf(header, truthColumn);
        if (truthIndex < 0)
        {
            throw new ArgumentException($"{file} has no column '{truthColumn}'");
        }
        var splitIndex = splitBy is null ? -1 : Array.IndexOf(header, splitBy);
        if (splitBy is not null && splitIndex < 0)
        {
            throw new ArgumentException($"{file} has no column '{splitBy}'");
        }
        var truth = new string[rows.Count];
        var slot = new int[rows.Count];
        var random = new Random(seed);
        var splitValues = splitIndex < 0 ? [] : rows.Select(r => r[splitIndex]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            var value = rows[i][truthIndex];
            truth[i] = truthPattern is null ? value : truthPattern.Match(value) is { Success: true } m && m.Groups.Count > 1 ? m.Groups[1].Value : value;
            rows[i][truthIndex] = RowId(i);
            slot[i] = splitIndex < 0 ? random.Next(agencies) : splitValues.IndexOf(rows[i][splitIndex]);
        }
        var agencyCount = splitIndex < 0 ? agencies : splitValues.Count;
        var prefix = "EV" + DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
        var codes = Enumerable.Range(0, agencyCount).Select(i => $"{prefix}{(char)('A' + i % 26)}{i / 26}").ToArray();
        if (args.Get("codes-file") is { } codesFile)
        {
            // ./hub removes these agencies' broker users and secrets afterwards.
            await File.WriteAllLinesAsync(codesFile, codes);
        }

        var work = Directory.CreateTempSubdirectory("sharinghub-evaluate-");
        await using var data = NpgsqlDataSource.Create(connectionString);
        BorderBackground? background = null;
        Exception? failure = null;
        try
        {
            Console.WriteLine($"== evaluate {Path.GetFileName(file)}: {rows.Count} rows, {agencyCount} agencies ({(splitIndex < 0 ? $"random, seed {seed}" : $"by {splitBy}")}): {string.Join(' ', codes)}");
            foreach (var code in codes)
            {
                await RunAsync(hub, ["agency", "add", code, $"Evaluation {code}"], quiet: true);
            }
            if (backgroundFile is not null)
            {
                var (backgroundHeader, backgroundRows) = ReadCsv(backgroundFile, delimiter);
                background = new BorderBackground(prefix.Replace("EV", "BG", StringComparison.Ordinal), backgroundHeader, backgroundRows);
                await background.LoadAsync(data, backgroundFile, mapping);
            }
            var everyCode = background is null ? codes : [.. codes, .. background.Codes];

            var clock = Stopwatch.StartNew();
            var published = 0;
            var rejected = 0;
            var rejects = new List<Reject>();
            for (var a = 0; a < agencyCount; a++)
            {
                var share = Path.Combine(work.FullName, $"{codes[a]}.csv");
                WriteCsv(share, header, rows.Where((_, i) => slot[i] == a), delimiter);
                var output = await RunAsync(hub, ["publish", "--agency", codes[a], "--file", share, "--mapping", mapping], quiet: false, okExitCodes: [0, 2]);
                var summary = PublishSummary().Match(output);
                if (summary.Success)
                {
                    published += int.Parse(summary.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
                    rejected += int.Parse(summary.Groups[2].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
                }
                rejects.AddRange(ReadRejects(share + ".rejects.csv"));
            }
            var publishTime = clock.Elapsed;

            await WaitForMatchingAsync(data, codes, everyCode, published);
            var total = clock.Elapsed;

            var predicted = await PredictedPairsAsync(data, codes, everyCode);
            var crossTruth = TruePairs(truth, slot);
            var match = Score(predicted.Where(p => p.Band == "Match").Select(p => p.Pair), crossTruth);
            var loose = Score(predicted.Select(p => p.Pair), crossTruth);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"records: rows {rows.Count}, published {published}, rejected by the connector {rejected}"));
            // The connector's report names the field and the reason, never the value.
            foreach (var reason in rejects.GroupBy(r => (r.Kind, r.Field, r.Reason, r.Action)).OrderByDescending(g => g.Count()))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {reason.Key.Action} {reason.Count()}: {reason.Key.Kind} {reason.Key.Field}: {reason.Key.Reason}"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"true cross-agency pairs {crossTruth.Count}; predicted pairs: match {match.Predicted}, match+possible {loose.Predicted}"));
            Console.WriteLine($"match: TP {match.TruePositives} FP {match.FalsePositives} FN {match.FalseNegatives}");
            if (background is not null)
            {
                // Every pair with a background record is a false one: count them apart, so a namesake in the hub shows.
                var withBackground = predicted.Where(p => p.Pair.Item1 < 0).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"background: {background.Truth.Length} person rows; false pairs with a background record: match {withBackground.Count(p => p.Band == "Match")}, match+possible {withBackground.Count}"));
            }
            Console.WriteLine($"match+possible: TP {loose.TruePositives} FP {loose.FalsePositives} FN {loose.FalseNegatives}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"time: published in {publishTime.TotalSeconds:F1} s, matching done after {total.TotalSeconds:F1} s"));
            // What the hub made of the rows the connector did publish (a row it rejected loses all its pairs above).
            var stored = await StoredPersonRowsAsync(data, codes);
            var storedTruth = crossTruth.Where(p => stored.Contains(p.Item1) && stored.Contains(p.Item2)).ToHashSet();
            var storedMatch = Score(predicted.Where(p => p.Band == "Match").Select(p => p.Pair), storedTruth);
            var storedLoose = Score(predicted.Select(p => p.Pair), storedTruth);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"of the {stored.Count} persons stored ({storedTruth.Count} true pairs): match {storedMatch}; match+possible {storedLoose}"));
            Console.WriteLine($"match: {match}");
            Console.WriteLine($"match+possible: {loose}");
            // Subject clusters (ADR-010): every two records of one cluster are a predicted pair (the transitive pairs).
            var clusters = await ClustersAsync(data, codes);
            // A pair of two background records is not the evaluated set's (clusters hold one record per agency, so a cluster
            // can join an evaluated record to records of several background agencies).
            var clusterQuality = Score(clusters.SelectMany(ClusterPairs).Where(p => p.Item2 >= 0), crossTruth);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"clusters: {clusters.Count} ({string.Join(", ", clusters.GroupBy(c => c.Count).OrderBy(g => g.Key).Select(g => $"{g.Count()} of {g.Key}"))}); " +
                $"transitive pairs TP {clusterQuality.TruePositives} FP {clusterQuality.FalsePositives} FN {clusterQuality.FalseNegatives}"));
            Console.WriteLine($"cluster: {clusterQuality}");
            if (missesFile is not null)
            {
                string Agency(int row) => row < 0 ? "background:" + background!.Agency[BorderBackground.RowOf(row)]
                    : splitIndex < 0 ? slot[row].ToString(CultureInfo.InvariantCulture) : splitValues[slot[row]];
                string Truth(int row) => row < 0 ? "background:" + background!.Truth[BorderBackground.RowOf(row)] : truth[row];
                await WriteMissesAsync(missesFile, predicted, crossTruth, stored, rejects, Truth, Agency);
                Console.WriteLine($"misses: {missesFile}");
            }

            if (!keep)
            {
                await BenchAgencies.DeleteAsync(data, everyCode);
                background = null;
            }
            return 0;
        }
        catch (Exception error)
        {
            failure = error;
            throw;
        }
        finally
        {
            work.Delete(recursive: true);
            if (background is not null && !keep)
            {
                // A failed run still takes its background (records, keys, name counts) out of the hub.
                Console.WriteLine($"== removing the background ({string.Join(' ', background.Codes)})");
                await BenchAgencies.CleanUpAsync(() => BenchAgencies.DeleteAsync(data, background.Codes), failure);
            }
        }
    }

    /// <summary>
    /// <c>outcome,band,truth_a,agency_a,truth_b,agency_b,detail</c>: <c>missed</c> (a true pair below Match; band
    /// <c>Possible</c>, <c>None</c>, or <c>NotStored</c> when a side's person was not stored), <c>false</c> (a
    /// predicted pair of two different truths, at its band), and <c>rejected</c> or <c>omitted</c> (a record the
    /// connector rejected, or published without an invalid optional value: band is its kind, detail its field and
    /// reason). Truth values and agencies only: no names, no values.
    /// </summary>
    private static async Task WriteMissesAsync(string path, List<(string Band, (int, int) Pair)> predicted, HashSet<(int, int)> truePairs,
        HashSet<int> stored, List<Reject> rejects, Func<int, string> truth, Func<int, string> agency)
    {
        var bands = predicted.GroupBy(p => p.Pair).ToDictionary(g => g.Key, g => g.Any(p => p.Band == "Match") ? "Match" : g.First().Band);
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        void Line(params string[] cells)
        {
            foreach (var cell in cells)
            {
                csv.WriteField(cell);
            }
            csv.NextRecord();
        }
        Line("outcome", "band", "truth_a", "agency_a", "truth_b", "agency_b", "detail");
        foreach (var (a, b) in truePairs.Order())
        {
            var band = bands.GetValueOrDefault((a, b));
            if (band != "Match")
            {
                Line("missed", band ?? (stored.Contains(a) && stored.Contains(b) ? "None" : "NotStored"), truth(a), agency(a), truth(b), agency(b), "");
            }
        }
        foreach (var ((a, b), band) in bands.OrderBy(p => p.Key))
        {
            if (!truePairs.Contains((a, b)))
            {
                Line("false", band, truth(a), agency(a), truth(b), agency(b), "");
            }
        }
        foreach (var reject in rejects.Where(r => r.Row is not null))
        {
            var row = reject.Row!.Value;
            Line(reject.Action, reject.Kind, truth(row), agency(row), "", "", $"{reject.Field}: {reject.Reason}");
        }
    }

    /// <summary>The lines of the connector's reject report (<c>row,kind,localId,field,reason,action</c>), if it wrote one.</summary>
    private static List<Reject> ReadRejects(string path)
    {
        var rejects = new List<Reject>();
        if (!File.Exists(path))
        {
            return rejects;
        }
        using var reader = new StreamReader(path, Encoding.UTF8);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        csv.Read();
        csv.ReadHeader();
        while (csv.Read())
        {
            var localId = csv.GetField("localId") ?? "";
            int? row = RowNumber().Match(localId) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
            rejects.Add(new Reject(row, csv.GetField("kind") ?? "", csv.GetField("field") ?? "", csv.GetField("reason") ?? "", csv.GetField("action") ?? ""));
        }
        return rejects;
    }

    private static string RowId(int index) => string.Create(CultureInfo.InvariantCulture, $"row{index}");

    private static char MappingDelimiter(string mapping)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(mapping), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = document.RootElement;
        if (root.TryGetProperty("format", out var format) && format.GetString() is { } f && f != "csv")
        {
            throw new ArgumentException("evaluate reads CSV files only");
        }
        return root.TryGetProperty("delimiter", out var delimiter) && delimiter.GetString() is [var c] ? c : ',';
    }

    private static (string[] Header, List<string[]> Rows) ReadCsv(string path, char delimiter)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter.ToString(),
            TrimOptions = TrimOptions.Trim,
            BadDataFound = null,
        });
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { } header)
        {
            throw new ArgumentException($"{path}: no header row");
        }
        var rows = new List<string[]>();
        while (csv.Read())
        {
            rows.Add([.. Enumerable.Range(0, header.Length).Select(i => csv.GetField(i) ?? "")]);
        }
        return (header, rows);
    }

    private static void WriteCsv(string path, string[] header, IEnumerable<string[]> rows, char delimiter)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        using var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = delimiter.ToString() });
        foreach (var column in header)
        {
            csv.WriteField(column);
        }
        csv.NextRecord();
        foreach (var row in rows)
        {
            foreach (var cell in row)
            {
                csv.WriteField(cell);
            }
            csv.NextRecord();
        }
    }

    private static async Task<string> RunAsync(string hub, string[] arguments, bool quiet, int[]? okExitCodes = null)
    {
        var start = new ProcessStartInfo(hub) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {hub}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout + await stderr;
        if (!(okExitCodes ?? [0]).Contains(process.ExitCode))
        {
            throw new InvalidOperationException($"./hub {string.Join(' ', arguments)} exited {process.ExitCode}:\n{output}");
        }
        if (!quiet)
        {
            var summary = PublishSummary().Match(output);
            Console.WriteLine($"  {arguments[2]}: {(summary.Success ? summary.Value : output.Trim())}");
        }
        return output;
    }

    /// <summary>Every published record stored and no record's matching pending (markers commit with the records).</summary>
    private static async Task WaitForMatchingAsync(NpgsqlDataSource data, string[] codes, string[] everyCode, int published)
    {
        var deadline = DateTime.UtcNow.AddMinutes(30);
        while (true)
        {
            await using var command = data.CreateCommand("""
                SELECT (SELECT count(*) FROM records WHERE agency_code = ANY(@codes)),
                       (SELECT count(*) FROM match_pending p JOIN records r ON r.id = p.record_id WHERE r.agency_code = ANY(@codes))
                     + (SELECT count(*) FROM cluster_pending p JOIN records r ON r.id = p.record_id WHERE r.agency_code = ANY(@every))
                """);
            command.Parameters.AddWithValue("codes", codes);
            command.Parameters.AddWithValue("every", everyCode);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            var (stored, pending) = (reader.GetInt64(0), reader.GetInt64(1));
            if (stored >= published && pending == 0)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"after 30 minutes {stored} of {published} records are stored and {pending} are pending matching");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>The person-identity matches with an evaluated record on at least one side, the other side evaluated or background.</summary>
    private static async Task<List<(string Band, (int, int) Pair)>> PredictedPairsAsync(NpgsqlDataSource data, string[] codes, string[] everyCode)
    {
        await using var command = data.CreateCommand("""
            SELECT ra.local_id, rb.local_id, m.band FROM matches m
            JOIN records ra ON ra.id = m.record_a_id JOIN records rb ON rb.id = m.record_b_id
            WHERE m.kind = 'PersonIdentity' AND m.closed_at IS NULL AND m.agency_a = ANY(@every) AND m.agency_b = ANY(@every)
              AND (m.agency_a = ANY(@codes) OR m.agency_b = ANY(@codes))
            """);
        command.Parameters.AddWithValue("codes", codes);
        command.Parameters.AddWithValue("every", everyCode);
        var pairs = new List<(string, (int, int))>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var (a, b) = (RowOf(reader.GetString(0)), RowOf(reader.GetString(1)));
            pairs.Add((reader.GetString(2), a < b ? (a, b) : (b, a)));
        }
        return pairs;
    }

    /// <summary>The rows of each subject cluster whose records are all of the evaluated agencies.</summary>
    private static async Task<List<List<int>>> ClustersAsync(NpgsqlDataSource data, string[] codes)
    {
        await using var command = data.CreateCommand("""
            SELECT c.cluster_id, r.local_id FROM cluster_members c JOIN records r ON r.id = c.record_id
            WHERE c.cluster_id IN (SELECT cluster_id FROM cluster_members WHERE agency_code = ANY(@codes))
            ORDER BY c.cluster_id, r.id
            """);
        command.Parameters.AddWithValue("codes", codes);
        var clusters = new Dictionary<long, List<int>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = reader.GetInt64(0);
            if (!clusters.TryGetValue(id, out var rows))
            {
                clusters[id] = rows = [];
            }
            rows.Add(RowOf(reader.GetString(1)));
        }
        return [.. clusters.Values];
    }

    private static IEnumerable<(int, int)> ClusterPairs(List<int> rows)
    {
        for (var x = 0; x < rows.Count; x++)
        {
            for (var y = x + 1; y < rows.Count; y++)
            {
                yield return rows[x] < rows[y] ? (rows[x], rows[y]) : (rows[y], rows[x]);
            }
        }
    }

    private static async Task<HashSet<int>> StoredPersonRowsAsync(NpgsqlDataSource data, string[] codes)
    {
        await using var command = data.CreateCommand("SELECT local_id FROM records WHERE kind = 'Person' AND withdrawn_at IS NULL AND agency_code = ANY(@codes)");
        command.Parameters.AddWithValue("codes", codes);
        var rows = new HashSet<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(RowOf(reader.GetString(0)));
        }
        return rows;
    }

    // An evaluated row's id, or a background row's (below zero: BorderBackground.PairId).
    private static int RowOf(string localId) => BackgroundRow().Match(localId) is { Success: true } b
        ? BorderBackground.PairId(int.Parse(b.Groups[1].Value, CultureInfo.InvariantCulture))
        : RowNumber().Match(localId) is { Success: true } m
        ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
        : throw new InvalidOperationException($"the person local id '{localId}' does not contain the truth column: map it into the person's localId (e.g. \"P-{{rec_id}}\")");

    private static HashSet<(int, int)> TruePairs(string[] truth, int[] slot)
    {
        var pairs = new HashSet<(int, int)>();
        foreach (var group in Enumerable.Range(0, truth.Length).GroupBy(i => truth[i], StringComparer.Ordinal))
        {
            var members = group.ToArray();
            for (var x = 0; x < members.Length; x++)
            {
                for (var y = x + 1; y < members.Length; y++)
                {
                    if (slot[members[x]] != slot[members[y]])
                    {
                        pairs.Add((members[x], members[y]));
                    }
                }
            }
        }
        return pairs;
    }

    private static Quality Score(IEnumerable<(int, int)> predicted, HashSet<(int, int)> truth)
    {
        var set = predicted.ToHashSet();
        var tp = set.Count(truth.Contains);
        return new Quality(set.Count, tp, set.Count - tp, truth.Count - tp);
    }

    [GeneratedRegex(@"row(\d+)")]
    private static partial Regex RowNumber();

    [GeneratedRegex(@"^[PTL]-BG(\d+)$")]
    private static partial Regex BackgroundRow();

    [GeneratedRegex(@"published ([\d,]+) records; rejected ([\d,]+) records")]
    private static partial Regex PublishSummary();

    private sealed record Reject(int? Row, string Kind, string Field, string Reason, string Action);

    private sealed record Quality(int Predicted, int TruePositives, int FalsePositives, int FalseNegatives)
    {
        public double Precision => Predicted == 0 ? 0 : TruePositives / (double)Predicted;

        public double Recall => TruePositives + FalseNegatives == 0 ? 0 : TruePositives / (double)(TruePositives + FalseNegatives);

        public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"precision {Precision:F4} recall {Recall:F4} f1 {F1:F4}");
    }
}
