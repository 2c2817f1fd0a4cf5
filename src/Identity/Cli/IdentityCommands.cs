using Microsoft.Extensions.Options;
using SharingHub.Identity.Accounts;
using SharingHub.Identity.Audit;
using SharingHub.Identity.Keys;
using SharingHub.Identity.Seeding;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.Cli;

/// <summary>
/// Administrative commands of the Identity executable, run instead of the web host:
/// <c>--migrate</c>, <c>seed [--demo-users]</c>, <c>clients</c>, <c>token [AGENCY] [ROLE]</c>, <c>keys rotate</c>,
/// and <c>user add|reset|list</c> for local accounts.
/// </summary>
internal static class IdentityCommands
{
    /// <summary>The public client the development token command logs in with.</summary>
    public const string CliClientId = "sharinghub-cli";

    private static readonly string[] Names = ["seed", "clients", "token", "keys", "user", "demo"];

    /// <summary>Whether <paramref name="args"/> name a command rather than a host run.</summary>
    public static bool IsCommand(string[] args) =>
        args.Contains("--migrate") || (args.Length > 0 && Names.Contains(args[0]));

    /// <summary>
    /// Builder options: a command sees only <c>--Key=Value</c> overrides as configuration, and reads its appsettings
    /// next to the executable, wherever it is run from.
    /// </summary>
    public static WebApplicationOptions BuilderOptions(string[] args) => IsCommand(args)
        ? new WebApplicationOptions
        {
            Args = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=')).ToArray(),
            ContentRootPath = AppContext.BaseDirectory,
        }
        : new WebApplicationOptions { Args = args };

    /// <summary>Commands log warnings and errors only, to stderr, so stdout carries just their output.</summary>
    public static void ConfigureLogging(WebApplicationBuilder builder, string[] args)
    {
        if (!IsCommand(args))
        {
            return;
        }
        builder.Logging.AddFilter(level => level >= LogLevel.Warning);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var cancellationToken = app.Lifetime.ApplicationStopping;
        try
        {
            if (args.Contains("--migrate"))
            {
                await app.Services.MigrateIdentityDatabaseAsync(cancellationToken);
                await Console.Out.WriteLineAsync("Identity database migrated.");
                return 0;
            }
            await using var scope = app.Services.CreateAsyncScope();
            var services = scope.ServiceProvider;
            return args[0] switch
            {
                "seed" => await SeedAsync(services, args.Contains("--demo-users"), cancellationToken),
                "clients" => await ClientsAsync(services),
                "token" => await TokenAsync(app, services, args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray(), cancellationToken),
                "keys" when args.Length > 1 && args[1] == "rotate" => await RotateKeysAsync(services, cancellationToken),
                "user" => await UserAsync(services, args.Skip(1).ToArray(), cancellationToken),
                "demo" => await DemoLoginAsync(services),
                _ => Usage(),
            };
        }
        catch (Exception e) when (e is AccountException or UsageException or HeadlessLoginException or InvalidOperationException
            or OptionsValidationException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync($"identity: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> SeedAsync(IServiceProvider services, bool demoUsers, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<Seeder>().SeedAsync(cancellationToken);
        await Console.Out.WriteLineAsync("Identity seed applied (agencies, scopes, clients).");
        if (demoUsers)
        {
            foreach (var user in await services.GetRequiredService<DemoUsers>().EnsureDefaultsAsync(cancellationToken))
            {
                await Console.Out.WriteLineAsync($"demo user {user.UserName} ({string.Join(' ', user.Roles)}, {user.AgencyCode})");
            }
        }
        return 0;
    }

    private static async Task<int> ClientsAsync(IServiceProvider services)
    {
        var secrets = services.GetRequiredService<DevelopmentSecrets>();
        if (!secrets.IsAvailable)
        {
            await Console.Error.WriteLineAsync("identity: client secrets are listed only in development.");
            return 1;
        }
        var seeder = services.GetRequiredService<Seeder>();
        foreach (var client in seeder.Clients(seeder.ConfiguredAgencies()).Where(c => !c.Public))
        {
            await Console.Out.WriteLineAsync($"{client.ClientId} {client.Secret ?? secrets.ClientSecret(client.ClientId)}");
        }
        return 0;
    }

    private static async Task<int> TokenAsync(WebApplication app, IServiceProvider services, string[] positional,
        CancellationToken cancellationToken)
    {
        var seeder = services.GetRequiredService<Seeder>();
        var agency = positional.ElementAtOrDefault(0) ?? seeder.ConfiguredAgencies().FirstOrDefault()?.Code
            ?? throw new InvalidOperationException("No agency is registered.");
        var role = positional.ElementAtOrDefault(1) ?? HubRoles.Officer;
        var user = await services.GetRequiredService<DemoUsers>().EnsureAsync(agency, role, cancellationToken);
        var secrets = services.GetRequiredService<DevelopmentSecrets>();

        var issuer = app.Configuration["Issuer"] ?? throw new InvalidOperationException(
            "The token command needs --Issuer=<Identity URL> (./hub token passes it).");
        var redirectUri = new Uri(app.Configuration["RedirectUri"] ?? "http://127.0.0.1:8765/callback");
        using var login = new HeadlessLogin(new Uri(issuer.EndsWith('/') ? issuer : issuer + "/"));
        var tokens = await login.LoginAsync(CliClientId, clientSecret: null, redirectUri,
            $"openid offline_access {Tokens.HubTokenOptions.ApiScope}", user.UserName!, secrets.DemoPassword,
            secrets.DemoTotpSecret, cancellationToken);
        await Console.Error.WriteLineAsync($"Access token for {user.UserName} ({role}, {agency}):");
        await Console.Out.WriteLineAsync(tokens.AccessToken);
        return 0;
    }

    /// <summary>
    /// DEVELOPMENT ONLY: what a person types at the login page as any demo user (the checkout's demo password and the
    /// current one-time code of the demo users' shared TOTP key), for the inbox page in the demo.
    /// </summary>
    private static async Task<int> DemoLoginAsync(IServiceProvider services)
    {
        var secrets = services.GetRequiredService<DevelopmentSecrets>();
        if (!secrets.IsAvailable)
        {
            await Console.Error.WriteLineAsync("identity: demo users exist only in development.");
            return 1;
        }
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        await Console.Out.WriteLineAsync($"password  {secrets.DemoPassword}");
        await Console.Out.WriteLineAsync(
            $"code      {TotpCode.Compute(secrets.DemoTotpSecret, now)} (valid about {30 - now.ToUnixTimeSeconds() % 30} s more; run ./hub identity demo again for the next)");
        await Console.Out.WriteLineAsync($"totp uri  {TotpCode.EnrolmentUri("SharingHub demo", "demo users", secrets.DemoTotpSecret)}");
        return 0;
    }

    private static async Task<int> RotateKeysAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<KeyOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        var file = KeySetFile.Load(options.File);
        var added = file.Rotate(time.GetUtcNow(), TimeSpan.FromDays(options.LifetimeDays),
            TimeSpan.FromDays(options.PrepublishDays), TimeSpan.FromDays(options.RetainExpiredDays), options.Passphrase);
        file.Save(options.File);
        await services.GetRequiredService<AuditLog>().WriteAsync(AuditEvents.KeysRotated, AuditOutcome.Success,
            Environment.UserName, null, $"added keys {string.Join(' ', added)}; {file.Keys.Count} keys in the set",
            cancellationToken);
        await Console.Out.WriteLineAsync(
            $"Added keys {string.Join(' ', added)} to {options.File}. Restart Identity (every replica) to load them.");
        return 0;
    }

    private const string UserUsage =
        "user add AGENCY USERNAME --role ROLE [--role ROLE]... [--leo] [--cfr28] [--name \"DISPLAY NAME\"] | user reset USERNAME | user list [AGENCY]";

    /// <summary><c>user add</c>, <c>user reset</c> and <c>user list</c>: local accounts, for agencies without a provider.</summary>
    private static async Task<int> UserAsync(IServiceProvider services, string[] args, CancellationToken cancellationToken)
    {
        var accounts = services.GetRequiredService<LocalAccounts>();
        var actor = "cli:" + Environment.UserName;
        var command = UserCommand.Parse(args);
        switch (command.Verb)
        {
            case "add":
                await PrintCredentialsAsync("Created", await accounts.CreateAsync(new NewLocalAccount(
                    command.Positional[0], command.Positional[1], command.Roles, command.Leo, command.Cfr28, command.Name),
                    actor, cancellationToken));
                return 0;
            case "reset":
                await PrintCredentialsAsync("Reset", await accounts.ResetCredentialsAsync(command.Positional[0], actor, cancellationToken));
                return 0;
            default:
                foreach (var user in await accounts.ListAsync(command.Positional.ElementAtOrDefault(0), cancellationToken))
                {
                    var locked = user.LockoutEnd > DateTimeOffset.UtcNow ? $" locked until {user.LockoutEnd:O}" : "";
                    await Console.Out.WriteLineAsync(
                        $"{user.AgencyCode} {user.UserName} {string.Join(',', user.Roles)}{(user.Leo ? " leo" : "")}{(user.Cfr28 ? " cfr28" : "")}{(user.IsDemo ? " demo" : "")}{locked}");
                }
                return 0;
        }
    }

    private static async Task PrintCredentialsAsync(string what, LocalAccountCredentials credentials)
    {
        await Console.Error.WriteLineAsync(
            $"{what} the local account {credentials.UserName}. Hand these to the user over a trusted channel; they are not shown again.");
        await Console.Out.WriteLineAsync($"user      {credentials.UserName}");
        await Console.Out.WriteLineAsync($"password  {credentials.Password}");
        await Console.Out.WriteLineAsync($"totp key  {credentials.TotpKey}");
        await Console.Out.WriteLineAsync($"totp uri  {credentials.TotpEnrolmentUri}");
    }

    private static int Usage()
    {
        Console.Error.WriteLine($"usage: SharingHub.Identity [--migrate | seed [--demo-users] | clients | token [AGENCY] [ROLE] --Issuer=URL | demo | keys rotate | {UserUsage}]");
        return 2;
    }

    /// <summary>The parsed arguments of <c>user add|reset|list</c>.</summary>
    internal sealed record UserCommand(string Verb, IReadOnlyList<string> Positional, IReadOnlyList<string> Roles, bool Leo, bool Cfr28, string? Name)
    {
        public static UserCommand Parse(IReadOnlyList<string> args)
        {
            var verb = args.Count > 0 ? args[0] : "";
            var positional = new List<string>();
            var roles = new List<string>();
            bool leo = false, cfr28 = false;
            string? name = null;
            for (var i = 1; i < args.Count; i++)
            {
                var (flag, inline) = args[i].Split('=', 2) is [var f, var v] && f.StartsWith("--", StringComparison.Ordinal)
                    ? (f, v)
                    : (args[i], null);
                switch (flag)
                {
                    case "--role": roles.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                    case "--name": name = Value(); break;
                    case "--leo": leo = true; break;
                    case "--cfr28": cfr28 = true; break;
                    case var other when other.StartsWith("--", StringComparison.Ordinal) && other.Length > 2 && char.IsAsciiLetterUpper(other[2]):
                        break; // a --Key=Value configuration override, read by the host
                    case var other when other.StartsWith('-'): throw new UsageException($"unknown option '{other}'; usage: {UserUsage}");
                    default: positional.Add(args[i]); break;
                }

                string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"{flag} needs a value; usage: {UserUsage}"));
            }

            var expected = verb switch
            {
                "add" => (Min: 2, Max: 2),
                "reset" => (Min: 1, Max: 1),
                "list" => (Min: 0, Max: 1),
                _ => throw new UsageException($"usage: {UserUsage}"),
            };
            if (positional.Count < expected.Min || positional.Count > expected.Max)
            {
                throw new UsageException($"usage: {UserUsage}");
            }
            if (verb != "add" && (roles.Count > 0 || leo || cfr28 || name is not null))
            {
                throw new UsageException($"--role, --leo, --cfr28 and --name belong to 'user add'; usage: {UserUsage}");
            }
            return new UserCommand(verb, positional, roles, leo, cfr28, name);
        }
    }
}

/// <summary>The command line is not one the command understands; the message has the usage.</summary>
internal sealed class UsageException(string message) : Exception(message);
