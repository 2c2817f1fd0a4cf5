using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// The stock <c>graphql-ws</c> npm client, unmodified, as a child process: <c>node ws-check.mjs URL TOKEN</c>
/// (tests/graphql-clients), whose JSON lines are read as they come.
/// </summary>
public sealed class GraphqlWsNodeClient : IAsyncDisposable
{
    private static readonly string ClientDirectory = Path.Combine(HubCheckout.Root, "tests", "graphql-clients");
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private readonly Process _process;
    private readonly Channel<JsonElement> _lines = Channel.CreateUnbounded<JsonElement>();
    private readonly System.Text.StringBuilder _errors = new();

    private GraphqlWsNodeClient(Process process) => _process = process;

    /// <summary>
    /// Starts the client against <paramref name="graphql"/> (ws://) with <paramref name="token"/> ("-": none), for
    /// <paramref name="events"/> events, from the feed cursor <paramref name="after"/> (null: from now on).
    /// </summary>
    public static async Task<GraphqlWsNodeClient> StartAsync(Uri graphql, string token, int events = 1, string? after = null)
    {
        ArgumentNullException.ThrowIfNull(graphql);
        await EnsureInstalledAsync();
        var url = new UriBuilder(graphql) { Scheme = "ws" }.Uri.AbsoluteUri;
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = ClientDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "ws-check.mjs", url, token, events.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        if (after is not null)
        {
            start.ArgumentList.Add(after);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var client = new GraphqlWsNodeClient(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                client._lines.Writer.TryComplete();
            }
            else if (e.Data.StartsWith('{'))
            {
                client._lines.Writer.TryWrite(JsonDocument.Parse(e.Data).RootElement.Clone());
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (client._errors)
            {
                client._errors.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return client;
    }

    /// <summary>The next line the client printed; fails if it exits first or nothing comes within <see cref="Eventually.Patience"/>.</summary>
    public async Task<JsonElement> NextAsync(CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Eventually.Patience);
        try
        {
            if (await _lines.Reader.WaitToReadAsync(deadline.Token) && _lines.Reader.TryRead(out var line))
            {
                return line;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"ws-check.mjs printed nothing within {Eventually.Patience}. stderr: {Errors}");
        }
        throw new InvalidOperationException($"ws-check.mjs ended without another line. stderr: {Errors}");
    }

    private string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(ClientDirectory, "node_modules", "graphql-ws", "package.json"))
                && File.Exists(Path.Combine(ClientDirectory, "node_modules", "ws", "package.json")))
            {
                return;
            }
            var start = new ProcessStartInfo("npm") { WorkingDirectory = ClientDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "ci", "--no-audit", "--no-fund", "--prefer-offline" })
            {
                start.ArgumentList.Add(argument);
            }
            using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm did not start.");
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var output = npm.StandardOutput.ReadToEndAsync(timeout.Token);
            var errors = npm.StandardError.ReadToEndAsync(timeout.Token);
            await npm.WaitForExitAsync(timeout.Token);
            Assert.True(npm.ExitCode == 0, $"npm ci failed in {ClientDirectory}: {await errors}{await output}");
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
