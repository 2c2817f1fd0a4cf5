using System.Security.Claims;
using System.Text.Json;
using GraphQL;
using GraphQLParser.AST;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;

namespace SharingHub.Gateway.GraphQL;

/// <summary>One GraphQL request as both transports receive it: the HTTP body or query string, a WebSocket <c>subscribe</c> payload.</summary>
internal sealed record GraphQLRequest(string Query, string? OperationName, Inputs? Variables, Inputs? Extensions)
{
    /// <summary>
    /// Reads <c>{ query, operationName?, variables?, extensions? }</c>; <paramref name="error"/> says what is wrong
    /// when it returns null.
    /// </summary>
    public static GraphQLRequest? FromJson(JsonElement root, IGraphQLTextSerializer serializer, out string? error)
    {
        error = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "The request must be a JSON object.";
            return null;
        }
        if (!root.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(query.GetString()))
        {
            error = "The request needs a 'query' string.";
            return null;
        }
        string? operationName = null;
        if (root.TryGetProperty("operationName", out var name) && name.ValueKind != JsonValueKind.Null)
        {
            if (name.ValueKind != JsonValueKind.String)
            {
                error = "'operationName' must be a string.";
                return null;
            }
            operationName = name.GetString();
        }
        if (!TryMap(root, "variables", serializer, out var variables, out error) || !TryMap(root, "extensions", serializer, out var extensions, out error))
        {
            return null;
        }
        return new GraphQLRequest(query.GetString()!, operationName, variables, extensions);
    }

    private static bool TryMap(JsonElement root, string property, IGraphQLTextSerializer serializer, out Inputs? map, out string? error)
    {
        map = null;
        error = null;
        if (!root.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            error = $"'{property}' must be a JSON object.";
            return false;
        }
        map = serializer.ReadNode<Inputs>(value);
        return true;
    }
}

/// <summary>
/// The one execution path of both transports: the caller's <see cref="HubRequestContext"/> on the scope's
/// <see cref="HubDbContext"/>, and the schema's executer with its limits (depth, complexity, fields, aliases) and
/// error shaping.
/// </summary>
internal sealed class GraphQLOperations(IDocumentExecuter<HubSchema> executer)
{
    /// <summary>
    /// Executes <paramref name="request"/> for <paramref name="principal"/> with <paramref name="services"/>' scoped
    /// services. A subscription's result carries its stream; <paramref name="streamWindow"/> paces its events.
    /// </summary>
    public Task<ExecutionResult> ExecuteAsync(
        GraphQLRequest request,
        GraphQLDocument? document,
        ClaimsPrincipal user,
        HubPrincipal principal,
        IServiceProvider services,
        SemaphoreSlim? streamWindow,
        CancellationToken cancellationToken)
    {
        var context = new HubRequestContext(principal, services.GetRequiredService<HubDbContext>(), services.GetRequiredService<AgencyDirectory>()) { StreamWindow = streamWindow };
        return executer.ExecuteAsync(new ExecutionOptions
        {
            Query = request.Query,
            Document = document,
            OperationName = request.OperationName,
            Variables = request.Variables,
            Extensions = request.Extensions,
            User = user,
            UserContext = context,
            RequestServices = services,
            CancellationToken = cancellationToken,
        });
    }
}
