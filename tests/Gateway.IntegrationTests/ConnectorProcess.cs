using System.Diagnostics;
using System.Text;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// The connector as its own process (<c>dotnet SharingHub.Connectors.dll ARGS</c>, what <c>./hub publish</c> and
/// <c>./hub connector</c> run): its real exit code, its whole output (the worker logs to the console), and a real
/// SIGINT for Ctrl+C.
/// </summary>
internal sealed class ConnectorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private ConnectorProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, line) => Append(line.Data);
        _process.ErrorDataReceived += (_, line) => Append(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Everything it printed so far, stdout and stderr interleaved by line.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the connector with <paramref name="args"/>.</summary>
    public static ConnectorProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HubCheckout.Dll("Connectors"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // Neither the caller's broker nor its state may leak in: each test says what it means.
        start.Environment.Remove("SHARINGHUB_BROKER_URL");
        start.Environment.Remove("SHARINGHUB_BROKER_PASSWORD");
        start.Environment.Remove("SHARINGHUB_CONNECTOR_STATE");
        return new ConnectorProcess(Process.Start(start)!);
    }

    /// <summary>Runs the connector to its end: its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        await using var connector = Start(args);
        var exit = await connector.WaitForExitAsync();
        return (exit, connector.Output);
    }

    /// <summary>Waits until the output contains <paramref name="text"/>.</summary>
    public Task WaitForOutputAsync(string text) =>
        Eventually.UntilAsync(() => Output.Contains(text, StringComparison.Ordinal), $"the connector to print \"{text}\"; it printed:\n{Output}",
            cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>Whether it has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for it to end on its own; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Eventually.Patience, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the connector did not end within {Eventually.Patience}; it printed:\n{Output}");
        }
        // The asynchronous readers may still hold the last lines: the parameterless wait drains them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }
}
