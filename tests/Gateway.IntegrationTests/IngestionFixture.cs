using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SharingHub.Connectors.Cli;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Records;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.TestSupport;
using Spectre.Console;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// A test class's hub for ingestion: its own database and virtual host, the Gateway running on them (one message
/// at a time, so a last record stored means every earlier message was handled), and helpers to register agencies
/// on the bus and publish through the real connector CLI.
/// </summary>
public class IngestionFixture : HubInfrastructureFixture
{
    private readonly List<string> _users = [];
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("sharinghub-ingest-test-");

    public GatewayApp App { get; private set; } = null!;

    public string WorkDirectory => _work.FullName;

    /// <summary>How the hub consumes: one message at a time by default, so tests see a simple order.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ConsumerSettings { get; } = new Dictionary<string, string?>
    {
        ["Ingestion:ConcurrentMessageLimit"] = "1",
        ["Ingestion:PrefetchCount"] = "4",
    };

    /// <summary>Where the Gateway's log entries are also kept, for tests that read them; none by default.</summary>
    protected virtual CapturingLoggerProvider? Logs => null;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        App = new GatewayApp(this, ConsumerSettings) { Logs = Logs };
        await App.MigrateAsync();
        // Starting the host starts the bus, which declares the hub's exchanges and queue.
        _ = App.Services;
        await VirtualHost.WaitForRecordsExchangeAsync();
    }

    /// <summary>Registers an agency as the provisioner leaves it: a publish-only broker user and a database row.</summary>
    public async Task<TestAgency> AddAgencyAsync(string prefix, bool registerInDatabase = true)
    {
        var code = $"{prefix}{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        var password = Guid.NewGuid().ToString("N");
        var management = VirtualHost.Management;
        (await management.PutAsJsonAsync($"api/users/{code}", new { password, tags = "" })).EnsureSuccessStatusCode();
        _users.Add(code);
        (await management.PutAsJsonAsync($"api/permissions/{Uri.EscapeDataString(VirtualHost.Name)}/{code}",
            new { configure = "^$", write = @"^SharingHub\.Contracts\.V1:.*$", read = "^$" })).EnsureSuccessStatusCode();
        if (registerInDatabase)
        {
            await App.WithDatabaseAsync(async db =>
            {
                db.Agencies.Add(new Agency { Code = code, Name = $"Test agency {code}", Kind = AgencyKind.LawEnforcement, CreatedAt = DateTimeOffset.UtcNow });
                return await db.SaveChangesAsync();
            });
        }
        var passwordFile = Path.Combine(WorkDirectory, code + ".secret");
        await File.WriteAllTextAsync(passwordFile, password);
        var broker = new UriBuilder(VirtualHost.AmqpUri) { UserName = "", Password = "" }.Uri;
        var authenticated = new UriBuilder(VirtualHost.AmqpUri) { UserName = code, Password = password }.Uri;
        return new TestAgency(code, password, passwordFile, broker, authenticated);
    }

    /// <summary>Runs the connector CLI in-process, exactly as <c>./hub publish</c> does; returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> PublishAsync(TestAgency agency, string file, params string[] extra)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 1000;
        string[] args =
        [
            "publish", "--agency", agency.Code, "--file", file,
            "--broker", agency.Broker.ToString(), "--password-file", agency.PasswordFile,
            "--state-dir", Path.Combine(WorkDirectory, "state"), .. extra,
        ];
        var exit = await ConnectorCli.RunAsync(args, console);
        return (exit, output.ToString());
    }

    /// <summary>Writes canonical JSON lines to a new file in the work folder.</summary>
    public string WriteLines(IEnumerable<string> lines)
    {
        var path = Path.Combine(WorkDirectory, $"{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(path, lines, new UTF8Encoding(false));
        return path;
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the stored records, or fails after <paramref name="timeout"/>.</summary>
    public Task<T> WaitForAsync<T>(Func<HubDbContext, Task<T>> query, Func<T, bool> condition, TimeSpan timeout) =>
        Eventually.UntilAsync(() => App.WithDatabaseAsync(query), condition, "the stored records", timeout);

    public Task<int> CountAsync(string agency) =>
        App.WithDatabaseAsync(db => db.Records.CountAsync(r => r.AgencyCode == agency));

    public Task<StoredRecord?> FindAsync(string agency, RecordKind kind, string localId) =>
        App.WithDatabaseAsync(db => db.Records.AsNoTracking().SingleOrDefaultAsync(r => r.AgencyCode == agency && r.Kind == kind && r.LocalId == localId));

    public override async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        foreach (var user in _users)
        {
            using var _ = await VirtualHost.Management.DeleteAsync($"api/users/{user}");
        }
        await base.DisposeAsync();
        _work.Delete(recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>An agency registered for a test: its broker user and password.</summary>
public sealed record TestAgency(string Code, string Password, string PasswordFile, Uri Broker, Uri AuthenticatedBroker);

/// <summary>Canonical JSON lines for tests.</summary>
internal static class CanonicalLines
{
    private const string Labels = """{"sensitivity":"open","controlOfficial":{"name":"Det. Test","channel":"+1 713 555 0101"}}""";

    public static string Person(string localId, long version = 1, string surname = "García López", string role = "victim") =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"kind":"person","localId":"{{localId}}","version":{{version}},"role":"{{role}}","givenName":"María","surname":"{{surname}}","birthDate":"1988-03","labels":{{Labels}}}""");

    public static string Phone(string localId, string subjectRef, string number = "(713) 555-0199") =>
        $$"""{"kind":"phone","localId":"{{localId}}","version":1,"subjectRef":"{{subjectRef}}","number":"{{number}}","labels":{{Labels}}}""";

    public static string Location(string localId, int i) =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"kind":"location","localId":"{{localId}}","version":1,"address":"{{100 + i}} Main St, Houston, TX","lat":{{29.7 + i % 100 / 1000.0}},"lon":-95.36,"labels":{{Labels}}}""");

    public static string Withdrawal(string kind, string localId, long version) =>
        $$"""{"kind":"{{kind}}","localId":"{{localId}}","version":{{version}},"withdrawn":true}""";

    public static IEnumerable<string> Mixed(int count, string prefix = "")
    {
        for (var i = 0; i < count; i++)
        {
            yield return (i % 3) switch
            {
                0 => Person($"{prefix}P-{i}"),
                1 => Phone($"{prefix}T-{i}", $"{prefix}P-{i - 1}", $"+52 55 {1000 + i % 9000:D4} {i % 10000:D4}"),
                _ => Location($"{prefix}L-{i}", i),
            };
        }
    }

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
