using GraphQL;
using GraphQLParser.AST;
using SharingHub.Gateway.Audit;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Feeds;
using SharingHub.Gateway.GraphQL.Explorer;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Gateway.GraphQL;

/// <summary>Wiring of the GraphQL API.</summary>
public static partial class GraphQLExtensions
{
    /// <summary>Registers the schema, its limits (depth, complexity, fields, aliases), the HTTP and WebSocket transports and the change feeds.</summary>
    public static IServiceCollection AddHubGraphQL(this IServiceCollection services)
    {
        services.AddValidatedOptions<GraphQLOptions>(GraphQLOptions.SectionName);
        services.AddSingleton<DocumentLimitsRule>();
        services.AddHttpContextAccessor();
        services.AddGraphQL(graphql => graphql
            .AddSchema<HubSchema>()
            .AddGraphTypes(typeof(HubSchema).Assembly)
            .AddSystemTextJson()
            // One operation uses one DbContext: fields run one at a time, and the batching loaders still batch. Plain
            // fields take a cheaper path (HubQueryExecutionStrategy).
            .AddExecutionStrategy<HubQueryExecutionStrategy>(OperationType.Query)
            .AddExecutionStrategy<HubQueryExecutionStrategy>(OperationType.Mutation)
            // Each subscription event runs in its own scope with its own request context (and DbContext).
            .AddExecutionStrategy<HubSubscriptionExecutionStrategy>(OperationType.Subscription)
            // The limit rules (depth, complexity, fields, aliases) are chosen per request by GraphQLOperations, which
            // skips those whose verdict on a document it already knows.
            // Every read of another agency's released data is audited, whichever transport carried the operation.
            .AddDocumentListener<ReadAuditListener>(global::GraphQL.DI.ServiceLifetime.Singleton)
            .AddErrorInfoProvider<HubErrorInfoProvider>()
            .AddUnhandledExceptionHandler(context =>
            {
                // A subscription event's own scope: the subscribe message's has ended by then.
                var services = context.Context?.RequestServices ?? context.ExecutionOptions.RequestServices!;
                var logger = services.GetRequiredService<ILogger<GraphQLHttpEndpoint>>();
                LogResolverFailed(logger, context.Exception.GetType().Name, context.FieldContext?.FieldDefinition.Name);
            }));
        services.AddSingleton<ReadAudit>();
        services.AddScoped<GraphQLHttpEndpoint>();
        services.AddSingleton<GraphQLOperations>();
        services.AddSingleton<SocketAuthenticator>();
        services.AddSingleton<GraphQLWebSocketEndpoint>();
        services.AddChangeFeeds();
        services.AddSingleton<AgencyDirectory>();
        services.AddScoped<Agencies.AgencyRegistration>();
        return services;
    }

    /// <summary>Maps <c>/graphql</c> (GET and POST, and WebSocket handshakes) and, for the development explorer, its assets.</summary>
    public static IEndpointRouteBuilder MapHubGraphQL(this IEndpointRouteBuilder endpoints)
    {
        // The endpoint authorizes itself (401/403 before anything is parsed), so that browsers can be given the
        // explorer page in development; the explorer's static assets hold no data.
        // A WebSocket handshake authenticates in its connection_init message, as graphql-transport-ws has it.
        endpoints.MapMethods("/graphql", [HttpMethods.Get, HttpMethods.Post],
                (HttpContext http) => http.WebSockets.IsWebSocketRequest
                    ? http.RequestServices.GetRequiredService<GraphQLWebSocketEndpoint>().HandleAsync(http)
                    : http.RequestServices.GetRequiredService<GraphQLHttpEndpoint>().HandleAsync(http))
            .AllowAnonymous();
        endpoints.MapGet(GraphiQLPage.AssetsPath + "/{name}", (HttpContext http, string name) => GraphiQLPage.ServeAssetAsync(http, name))
            .AllowAnonymous();
        return endpoints;
    }

    /// <summary>The schema's SDL, as <c>schema.graphql</c> holds it.</summary>
    public static string PrintGraphQLSchema(this IHost app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<HubSchema>().Print();
    }

    // The exception's type and the field only: messages may quote values.
    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "A GraphQL resolver failed with {ExceptionType} in field {Field}")]
    private static partial void LogResolverFailed(ILogger logger, string exceptionType, string? field);
}
