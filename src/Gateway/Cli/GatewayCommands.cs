using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using SharingHub.Gateway.Errors;
using SharingHub.Gateway.Records;

namespace SharingHub.Gateway.Cli;

/// <summary>
/// Operator commands of the Gateway executable, run instead of the web host:
/// <c>broker setup</c> (the records queue's delivery limit and the error queue's retention, as broker policies) and
/// <c>errors list | show ID | replay ID | purge --yes</c> (the error queue; every action audited).
/// <c>--actor NAME</c> names the operator in the audit log (default: the OS user).
/// </summary>
internal static class GatewayCommands
{
    private static readonly string[] Names = ["broker", "errors"];

    /// <summary>Whether <paramref name="args"/> name a command rather than a host run.</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0]);

    /// <summary>A command reads appsettings next to the executable, and only <c>--Key=Value</c> arguments as configuration.</summary>
    public static WebApplicationOptions BuilderOptions(string[] args) => IsCommand(args)
        ? new WebApplicationOptions { Args = [.. args.Where(IsSetting)], ContentRootPath = AppContext.BaseDirectory }
        : new WebApplicationOptions { Args = args };

    /// <summary>Commands log only warnings and errors, to stderr: stdout is their output.</summary>
    public static void ConfigureLogging(WebApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (IsCommand(args))
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }
    }

    /// <summary>Runs the command; returns the exit code (0 done, 1 failed or not found, 2 usage).</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var words = args.Where(a => !IsSetting(a)).ToList();
        var actor = Option(words, "--actor") ?? Environment.UserName;
        var yes = words.Remove("--yes");
        try
        {
            await using var scope = services.CreateAsyncScope();
            var tool = scope.ServiceProvider.GetRequiredService<ErrorQueueTool>();
            switch (words)
            {
                case ["broker", "setup"]:
                    await BrokerSetupAsync(scope.ServiceProvider, output, cancellationToken);
                    return 0;
                case ["errors", "list"]:
                    await tool.ListAsync(actor, output, cancellationToken);
                    return 0;
                case ["errors", "show", var id]:
                    if (await tool.ShowAsync(actor, id, output, cancellationToken))
                    {
                        return 0;
                    }
                    await error.WriteLineAsync($"errors: no message {id} on the error queue");
                    return 1;
                case ["errors", "replay", var id]:
                    var outcome = await tool.ReplayAsync(actor, id, cancellationToken);
                    await (outcome == ReplayOutcome.Replayed ? output : error).WriteLineAsync(outcome switch
                    {
                        ReplayOutcome.Replayed => $"replayed {id}: it is back on the records queue, as its original agency",
                        ReplayOutcome.NotFound => $"errors: no message {id} on the error queue",
                        ReplayOutcome.NoAgency => $"errors: message {id} names no agency, so it cannot be replayed; it stays on the error queue",
                        _ => throw new ArgumentOutOfRangeException(nameof(args), outcome, "unknown replay outcome"),
                    });
                    return outcome == ReplayOutcome.Replayed ? 0 : 1;
                case ["errors", "purge"] when yes:
                    var purged = await tool.PurgeAsync(actor, cancellationToken);
                    await output.WriteLineAsync($"purged {purged} message(s) from the error queue");
                    return 0;
                case ["errors", "purge"]:
                    await error.WriteLineAsync("errors: purge drops every message on the error queue for good; confirm with --yes");
                    return 2;
                default:
                    await error.WriteLineAsync("usage: errors list | errors show ID | errors replay ID | errors purge --yes  [--actor NAME]; broker setup");
                    return 2;
            }
        }
        catch (Exception e) when (e is ErrorQueueException or HttpRequestException or OptionsValidationException or UsageException)
        {
            await error.WriteLineAsync($"{words.FirstOrDefault()}: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// Applies <see cref="BrokerLimits"/> through the management API, with the administration credential from
    /// <c>BrokerAdministration:ManagementUri</c>, <c>:User</c>, <c>:Password</c> and <c>:VirtualHost</c> (default <c>/</c>).
    /// </summary>
    private static async Task BrokerSetupAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        var configuration = services.GetRequiredService<IConfiguration>().GetSection("BrokerAdministration");
        var uri = configuration["ManagementUri"];
        var user = configuration["User"];
        var password = configuration["Password"];
        if (string.IsNullOrEmpty(uri) || string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password))
        {
            throw new UsageException("set BrokerAdministration:ManagementUri, BrokerAdministration:User and BrokerAdministration:Password (the broker's administration credential)");
        }
        var virtualHost = configuration["VirtualHost"] ?? "/";
        var options = services.GetRequiredService<IOptions<IngestionOptions>>().Value;
        using var management = new HttpClient { BaseAddress = new Uri(uri.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        await BrokerLimits.ApplyAsync(management, virtualHost, options, cancellationToken);
        await output.WriteLineAsync(
            $"broker set up: {options.QueueName} delivery-limit {options.DeliveryLimit} (then the error queue); {options.QueueName}_error message-ttl {options.ErrorRetentionDays} days");
    }

    private static bool IsSetting(string arg) => arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains('=');

    private static string? Option(List<string> words, string name)
    {
        var at = words.IndexOf(name);
        if (at < 0)
        {
            return null;
        }
        if (at + 1 >= words.Count)
        {
            throw new UsageException($"{name} needs a value");
        }
        var value = words[at + 1];
        words.RemoveRange(at, 2);
        return value;
    }

    private sealed class UsageException(string message) : Exception(message);
}
