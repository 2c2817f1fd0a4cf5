using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MassTransit;
using SharingHub.Gateway.Alerts;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.GraphQL;
using SharingHub.Gateway.Inbox;
using SharingHub.Gateway.Records;
using SharingHub.ServiceDefaults;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Gateway;

/// <summary>Wires the Gateway's features, once each.</summary>
public static class Extensions
{
    /// <summary>Name of the Gateway's PostgreSQL connection string (<c>ConnectionStrings:hubdb</c>).</summary>
    public const string DatabaseConnectionName = "hubdb";

    /// <summary>
    /// The key of the request path's data source (the read audit, the active-agency check): durable commits, statements
    /// prepared, no session state and so no reset between uses.
    /// </summary>
    public const string RequestDataSourceKey = "requests";

    /// <summary>
    /// The key of the <see cref="HubDbContext"/> that reads match pages (<see cref="Visibility.VisibleMatchesPage"/>): its
    /// connections keep a generic plan for each prepared statement (<see cref="GenericPlans"/>).
    /// </summary>
    public const string PageReadsKey = "page-reads";

    /// <summary>Name of the broker connection string (<c>ConnectionStrings:rabbitmq</c>).</summary>
    public const string BrokerConnectionName = "rabbitmq";

    /// <summary>Registers the Gateway's database, readiness checks and features.</summary>
    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRequiredConnectionString(DatabaseConnectionName);
        builder.Services.AddDbContextPool<HubDbContext>((services, options) => options
            .UseNpgsql(WithAutoPrepare(services.GetRequiredService<IOptionsMonitor<ConnectionStringOptions>>().Get(DatabaseConnectionName).Value))
            .UseSnakeCaseNamingConvention());
        // The request path's own pool, for the read audit and the active-agency check: its commits are durable (the
        // matching pool's are not), since an answer that released another agency's data is sent only once its audit
        // rows are on disk; and it keeps no session state, so it needs no reset between uses (see WithAutoPrepare).
        builder.Services.AddKeyedSingleton(RequestDataSourceKey, (services, _) => Npgsql.NpgsqlDataSource.Create(
            WithAutoPrepare(services.GetRequiredService<IOptionsMonitor<ConnectionStringOptions>>().Get(DatabaseConnectionName).Value)));

        // Match pages' own pool (Visibility.VisibleMatchesPage): its connections keep one plan per statement.
        builder.Services.AddKeyedSingleton(PageReadsKey, (services, _) => GenericPlans(new Npgsql.NpgsqlDataSourceBuilder(
            WithAutoPrepare(services.GetRequiredService<IOptionsMonitor<ConnectionStringOptions>>().Get(DatabaseConnectionName).Value))).Build());
        builder.Services.AddKeyedSingleton<IDbContextFactory<HubDbContext>>(PageReadsKey, (services, key) =>
            new Microsoft.EntityFrameworkCore.Infrastructure.PooledDbContextFactory<HubDbContext>(new DbContextOptionsBuilder<HubDbContext>()
                .UseNpgsql(services.GetRequiredKeyedService<Npgsql.NpgsqlDataSource>(key))
                .UseSnakeCaseNamingConvention()
                .Options));
        builder.Services.AddKeyedScoped(PageReadsKey, (services, key) => services.GetRequiredKeyedService<IDbContextFactory<HubDbContext>>(key).CreateDbContext());

        builder.Services.AddRecordIngestion();
        builder.Services.AddDeconfliction(DatabaseConnectionName);
        builder.Services.AddMassTransit(bus =>
        {
            // MassTransit 8.5 otherwise reports the bus's shape to usage-tracking.masstransit.io: nothing leaves the hub.
            bus.DisableUsageTelemetry();
            bus.AddRecordConsumers();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                var broker = new Uri(context.GetRequiredService<IOptionsMonitor<ConnectionStringOptions>>().Get(BrokerConnectionName).Value);
                var nodes = BrokerNodes.Parse(context.GetRequiredService<IConfiguration>()[BrokerNodes.ConfigurationKey]);
                rabbit.Host(broker, host =>
                {
                    // A cluster (Broker:Nodes): MassTransit connects to one node and moves to the next when it goes away.
                    if (nodes.Count > 0)
                    {
                        host.UseCluster(cluster =>
                        {
                            foreach (var node in nodes)
                            {
                                cluster.Node(BrokerNodes.ToNode(node));
                            }
                        });
                    }
                });
                rabbit.ConfigureEndpoints(context);
            });
        });

        builder.Services.AddAlerts();
        builder.Services.AddHubAuthorization();
        builder.Services.AddHubGraphQL();
        builder.Services.AddInbox();
        builder.Services.AddHealthChecks()
            .AddPostgresReadiness(DatabaseConnectionName)
            .AddRabbitMqReadiness(BrokerConnectionName);
        return builder;
    }

    /// <summary>Maps the Gateway's HTTP endpoints.</summary>
    public static WebApplication MapGatewayEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWebSockets();
        app.UseHubAuthorization();
        app.MapGet("/", () => Results.Ok(new { service = "SharingHub.Gateway" })).AllowAnonymous();
        app.MapMeEndpoint();
        app.MapHubGraphQL();
        app.MapInbox();
        return app;
    }

    /// <summary>Applies pending EF Core migrations to the Gateway database (<see cref="HubDbContext.ApplyMigrationsAsync"/>).</summary>
    public static async Task MigrateGatewayDatabaseAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<HubDbContext>().ApplyMigrationsAsync(app.Lifetime.ApplicationStopping);
    }

    // Connections that keep one generic plan per prepared statement (plan_cache_mode = force_generic_plan, set on
    // each new connection: a startup option would be refused by the PgBouncer pooler of deploy/k8s; the pool does not
    // reset its connections unless the connection string asks it to, see WithAutoPrepare, so the setting lasts each
    // connection's life), for statements written so that one plan suits every parameter value. PostgreSQL would
    // otherwise plan each execution anew whenever a plan made for the values at hand looks cheaper, and a match page's
    // planning costs about as much as its execution. Only Visibility.VisibleMatchesPage's statements run on them.
    internal static Npgsql.NpgsqlDataSourceBuilder GenericPlans(Npgsql.NpgsqlDataSourceBuilder builder)
    {
        const string KeepGenericPlans = "SET plan_cache_mode = force_generic_plan";
        return builder.UsePhysicalConnectionInitializer(
            connection =>
            {
                using var command = new Npgsql.NpgsqlCommand(KeepGenericPlans, connection);
                command.ExecuteNonQuery();
            },
            async connection =>
            {
                await using var command = new Npgsql.NpgsqlCommand(KeepGenericPlans, connection);
                await command.ExecuteNonQueryAsync();
            });
    }

    // The GraphQL reads, the audit, the active-agency check and matching run the same few statements again and again:
    // prepared once per connection, they skip PostgreSQL's parsing and planning. Nothing on these pools leaves session
    // state behind (LISTEN is on the feed listener's own connection; the alert relay's lock and every SET LOCAL end with
    // their transaction; the matching pool's session-level advisory locks are released by AdvisoryLock, which clears
    // the pool when a release fails), so a connection goes back to its pool without Npgsql's reset, which would
    // otherwise run seven statements before each reuse: three times per GraphQL page, twice per matching run. A
    // connection string that sets either keyword itself keeps its value.
    internal static string WithAutoPrepare(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        // Npgsql's builder answers ContainsKey for every keyword it knows, set or not: what the string itself sets is
        // read with the plain builder.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
        }
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }
        return builder.ConnectionString;
    }
}
