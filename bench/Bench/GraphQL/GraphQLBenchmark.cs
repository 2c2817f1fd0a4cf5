using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Npgsql;
using SharingHub.Bench.Match;
using SharingHub.Matching;

namespace SharingHub.Bench.GraphQL;

/// <summary>
/// <c>./hub bench graphql [--stored 1000000] [--matches 10000] [--clients 16] [--seconds 20]</c>: an agency's inbox
/// query, <c>matches(first: 50)</c> with counterparts and explanations, from N concurrent clients against the running
/// Gateway, for an agency with M matches among the stored records; then the same rows fetched by hand-written SQL
/// through Npgsql with the same concurrency (the ceiling). Prints throughput, p50 and p99 of each, and their ratio.
/// The agency's bench records (<c>GQLBENCH-*</c>), their matches and the background agency are removed afterwards.
/// </summary>
internal static class GraphQLBenchmark
{
    private const string LocalIdPrefix = "GQLBENCH-";

    private const string InboxQuery = """
        query Inbox($after: String) {
          matches(first: 50, after: $after) {
            pageInfo { hasNextPage endCursor }
            nodes {
              id kind band score updatedAt
              own { kind localId }
              counterpart { release sensitivity agency { code name } contact { name channel } fields { name value } }
              explanation { field level weight text }
            }
          }
        }
        """;

    private const string CeilingSql = """
        SELECT m.id, m.kind, m.band, m.score, m.changed_at, m.explanation,
               o.kind, o.local_id,
               c.sensitivity, c.role, c.control_official_name, c.control_official_channel,
               c.given_name, c.surname, c.birth_year, c.birth_month, c.birth_day,
               a.code, a.name, a.kind
        FROM matches m
        JOIN records o ON o.id = CASE WHEN m.agency_a = @me THEN m.record_a_id ELSE m.record_b_id END
        JOIN records c ON c.id = CASE WHEN m.agency_a = @me THEN m.record_b_id ELSE m.record_a_id END
        JOIN agencies a ON a.code = c.agency_code
        WHERE (m.agency_a = @me OR m.agency_b = @me) AND m.id < @after
        ORDER BY m.id DESC
        LIMIT 50
        """;

    // What a person-identity explanation looks like when stored (MatchExplanation's JSON form).
    private const string Explanation = """
        {"summary":"Score 25.00 bits: Match.","lines":[
        {"field":"GivenName","level":"Exact","weight":4.1,"text":"Given name: exact agreement (+4.1)","discloses":"Counterpart"},
        {"field":"Surname","level":"Exact","weight":7.9,"text":"Surname: exact agreement (+7.9)","discloses":"Counterpart"},
        {"field":"BirthDate","level":"Exact","weight":9.2,"text":"Date of birth: exact agreement (+9.2)","discloses":"Counterpart"},
        {"field":"Sex","level":"Missing","weight":0,"text":"Sex: missing on one side (0.0)","discloses":"Counterpart"},
        {"field":"Identifier","level":"Missing","weight":0,"text":"Identifier: missing on one side (0.0)","discloses":"Counterpart"},
        {"field":"Phone","level":"Exact","weight":3.8,"text":"Phone: exact agreement (+3.8)","discloses":"Counterpart"},
        {"field":"Address","level":"Missing","weight":0,"text":"Address: missing on one side (0.0)","discloses":"Counterpart"}]}
        """;

    public static async Task<int> RunAsync(string[] arguments)
    {
        var args = new BenchArgs(arguments, "keep");
        var stored = args.Int("stored", 1_000_000);
        var matchCount = args.Int("matches", 10_000);
        var clients = args.Int("clients", 16);
        var seconds = args.Int("seconds", 20);
        var agency = args.Required("agency");
        var url = new Uri(args.Required("url"));
        var token = (await File.ReadAllTextAsync(args.Required("token-file"))).Trim();
        await using var data = NpgsqlDataSource.Create(BenchArgs.Env("ConnectionStrings__hubdb"));

        // A run with --keep leaves its background agency, records and matches; the next run measures them again
        // (loading takes most of a run's time). Anything else a run left behind is removed first.
        var background = await KeptBackgroundAsync(data, agency, matchCount);
        List<long> matchIds;
        Exception? failure = null;
        try
        {
            var clock = Stopwatch.StartNew();
            if (background is null)
            {
                await RemoveLeftoversAsync(data, agency);
                background = "BQ" + DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
                await MatchBenchmark.ExecuteAsync(data,
                    $"INSERT INTO agencies (code, name, kind, region, created_at) VALUES (@p0, '{BackgroundName}', 'LawEnforcement', 'US', now())", background);
                var loaded = await MatchBenchmark.BulkLoadAsync(data, MatchingEngine.CreateDefault(), new SyntheticPopulation(seed: 11), background,
                    Math.Max(0, stored - matchCount));
                matchIds = await CreateMatchesAsync(data, agency, background, matchCount);
                await MatchBenchmark.ExecuteAsync(data, "VACUUM (ANALYZE) records, matches, agencies");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"== {loaded + matchIds.Count:N0} records stored, {matchIds.Count:N0} matches for {agency} ({clock.Elapsed.TotalSeconds:F0} s)"));
            }
            else
            {
                matchIds = await MatchIdsAsync(data, background);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"== reusing the records a run with --keep left ({background}): {matchIds.Count:N0} matches for {agency}; --stored does not apply"));
            }

            // Requests go out without Nagle's delay, as the ceiling's do (Npgsql sets TCP_NODELAY): a request whose
            // headers and body leave in two writes otherwise waits for the server's delayed ACK, about 40 ms a page.
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, ConnectCallback = ConnectWithoutDelayAsync })
            {
                Timeout = TimeSpan.FromSeconds(30),
            };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var graphql = await MeasureAsync("GraphQL", clients, seconds, matchIds, (after, ct) => QueryGraphQLAsync(http, url, after, ct));
            var ceiling = await MeasureAsync("SQL ceiling", clients, seconds, matchIds, (after, ct) => QuerySqlAsync(data, agency, after, ct));
            Console.WriteLine();
            Console.WriteLine(graphql.Line);
            Console.WriteLine(ceiling.Line);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio GraphQL / SQL ceiling: {graphql.PerSecond / ceiling.PerSecond:F2} (target >= 0.5)"));
            return 0;
        }
        catch (Exception error)
        {
            failure = error;
            throw;
        }
        finally
        {
            if (!args.Flag("keep") && background is not null)
            {
                Console.WriteLine("== removing the benchmark's records and matches");
                await BenchAgencies.CleanUpAsync(() => RemoveLeftoversAsync(data, agency), failure);
            }
        }
    }

    private const string BackgroundName = "GraphQL benchmark background";

    // The background agency a run with --keep left, when it still has the matches this run asks for.
    private static async Task<string?> KeptBackgroundAsync(NpgsqlDataSource data, string agency, int matchCount)
    {
        await using var command = data.CreateCommand($"""
            SELECT a.code FROM agencies a
            WHERE a.name = '{BackgroundName}'
              AND (SELECT count(*) FROM matches m WHERE m.agency_a = a.code AND m.agency_b = @agency) = @count
            ORDER BY a.created_at DESC LIMIT 1
            """);
        command.Parameters.AddWithValue("agency", agency);
        command.Parameters.AddWithValue("count", (long)matchCount);
        return await command.ExecuteScalarAsync() as string;
    }

    // The background agency's matches (each with one of the agency's bench records), in id order.
    private static async Task<List<long>> MatchIdsAsync(NpgsqlDataSource data, string background)
    {
        await using var command = data.CreateCommand("SELECT id FROM matches WHERE agency_a = @background OR agency_b = @background ORDER BY id");
        command.Parameters.AddWithValue("background", background);
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    // Every background agency of this benchmark, and the agency's bench records with their matches.
    private static async Task RemoveLeftoversAsync(NpgsqlDataSource data, string agency)
    {
        var backgrounds = new List<string>();
        await using (var command = data.CreateCommand($"SELECT code FROM agencies WHERE name = '{BackgroundName}'"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                backgrounds.Add(reader.GetString(0));
            }
        }
        await MatchBenchmark.ExecuteAsync(data, $"""
            DELETE FROM matches m USING records r
            WHERE r.agency_code = @p0 AND r.local_id LIKE '{LocalIdPrefix}%' AND r.id IN (m.record_a_id, m.record_b_id);
            DELETE FROM records WHERE agency_code = @p0 AND local_id LIKE '{LocalIdPrefix}%'
            """, agency);
        if (backgrounds.Count > 0)
        {
            await BenchAgencies.DeleteAsync(data, [.. backgrounds]);
        }
    }

    // The agency's records, each matched to a background person: inserted directly, since what is measured is the read.
    private static async Task<List<long>> CreateMatchesAsync(NpgsqlDataSource data, string agency, string background, int count)
    {
        await using var command = data.CreateCommand($"""
            INSERT INTO records (agency_code, kind, local_id, version, first_seen_at, updated_at, sensitivity,
                control_official_name, control_official_channel, role, given_name, surname, birth_year, birth_month, birth_day)
            SELECT @agency, 'Person', '{LocalIdPrefix}' || g, 1, now(), now(), 'Open', 'Det. Bench', '+17135550100', 'Suspect',
                'Bench', 'Person' || g, 1980, 1, 1
            FROM generate_series(1, @count) g;

            INSERT INTO matches (kind, record_a_id, record_b_id, agency_a, agency_b, score, band, explanation, parameters_version,
                fingerprint, first_found_at, changed_at, scored_at, suppressed)
            SELECT 'PersonIdentity', bg.id, mine.id, bg.agency_code, mine.agency_code, 25.0, 'Match', @explanation::jsonb, 'bench',
                'bench', now(), now(), now(), false
            FROM (SELECT id, agency_code, row_number() OVER (ORDER BY id) AS n FROM records
                  WHERE agency_code = @background AND kind = 'Person' ORDER BY id LIMIT @count) bg
            JOIN (SELECT id, agency_code, row_number() OVER (ORDER BY id) AS n FROM records
                  WHERE agency_code = @agency AND local_id LIKE '{LocalIdPrefix}%') mine ON mine.n = bg.n;
            """);
        command.CommandTimeout = 600;
        command.Parameters.AddWithValue("agency", agency);
        command.Parameters.AddWithValue("background", background);
        command.Parameters.AddWithValue("count", count);
        command.Parameters.AddWithValue("explanation", Explanation);
        await command.ExecuteNonQueryAsync();
        return await MatchIdsAsync(data, background);
    }

    private static async ValueTask<Stream> ConnectWithoutDelayAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // The request body up to the cursor: the query is escaped once, as a client with a persisted document would.
    private static readonly string InboxBodyStart =
        "{\"query\":" + JsonSerializer.Serialize(InboxQuery) + ",\"variables\":{\"after\":\"";

    // Consumes the answer the way the ceiling consumes its rows: every token read (and so checked) once, from the
    // bytes as received, without building a document.
    private static async Task<int> QueryGraphQLAsync(HttpClient http, Uri url, long after, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(InboxBodyStart + Cursor(after) + "\"}}"));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var response = await http.PostAsync(url, content, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var nodes = response.IsSuccessStatusCode ? CountNodes(body) : -1;
        if (nodes < 0)
        {
            throw new BenchFailedException($"the Gateway answered {(int)response.StatusCode} with errors: {ErrorMessages(Encoding.UTF8.GetString(body))}");
        }
        return nodes;
    }

    // The number of data.matches.nodes; -1 when the answer has errors or no data.
    private static int CountNodes(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var (nodes, inNodes, data, errors) = (0, false, false, false);
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                    errors |= reader.ValueTextEquals("errors"u8);
                    data |= reader.ValueTextEquals("data"u8);
                    break;
                case JsonTokenType.PropertyName when reader.CurrentDepth == 3 && reader.ValueTextEquals("nodes"u8):
                    inNodes = true;
                    break;
                case JsonTokenType.StartObject when inNodes && reader.CurrentDepth == 4:
                    nodes++;
                    break;
                case JsonTokenType.EndArray when inNodes && reader.CurrentDepth == 3:
                    inNodes = false;
                    break;
                default:
                    break;
            }
        }
        return errors || !data ? -1 : nodes;
    }

    // The errors' messages and codes only (an answer's data is the agency's records, never printed).
    private static string ErrorMessages(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
                ? string.Join("; ", errors.EnumerateArray().Select(e =>
                    (e.TryGetProperty("message", out var m) ? m.GetString() : "?")
                    + (e.TryGetProperty("extensions", out var x) && x.TryGetProperty("code", out var c) ? $" ({c.GetString()})" : "")))
                : "no error list";
        }
        catch (JsonException)
        {
            return "an answer that is not JSON";
        }
    }

    private static async Task<int> QuerySqlAsync(NpgsqlDataSource data, string agency, long after, CancellationToken cancellationToken)
    {
        await using var command = data.CreateCommand(CeilingSql);
        command.Parameters.AddWithValue("me", agency);
        command.Parameters.AddWithValue("after", after);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = 0;
        var values = new object[reader.FieldCount];
        while (await reader.ReadAsync(cancellationToken))
        {
            reader.GetValues(values);
            rows++;
        }
        return rows;
    }

    // Each request starts at a random point of the agency's matches (a keyset page deep in the list costs the same).
    private static async Task<Measurement> MeasureAsync(string name, int clients, int seconds, List<long> matchIds,
        Func<long, CancellationToken, Task<int>> query)
    {
        async Task<(List<double> Latencies, long Rows)> LoopAsync(TimeSpan duration, int seed)
        {
            var random = new Random(seed);
            var latencies = new List<double>();
            long rows = 0;
            var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < until)
            {
                var after = matchIds[random.Next(50, matchIds.Count)] + 1;
                var started = Stopwatch.GetTimestamp();
                rows += await query(after, CancellationToken.None);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return (latencies, rows);
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => LoopAsync(TimeSpan.FromSeconds(10), 1000 + i)));
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, clients).Select(i => LoopAsync(TimeSpan.FromSeconds(seconds), i)));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = results.SelectMany(r => r.Latencies).ToList();
        var rowsPerPage = results.Sum(r => r.Rows) / (double)Math.Max(1, all.Count);
        var perSecond = all.Count / elapsed;
        return new Measurement(perSecond, string.Create(CultureInfo.InvariantCulture,
            $"{name,-12}: {perSecond,7:F0} pages/s, p50 {MatchBenchmark.Percentile(all, 0.5):F1} ms, p99 {MatchBenchmark.Percentile(all, 0.99):F1} ms ({all.Count} pages of {rowsPerPage:F0} matches, {clients} clients, {elapsed:F0} s)"));
    }

    private static string Cursor(long id) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"v1:{id}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record Measurement(double PerSecond, string Line);
}
