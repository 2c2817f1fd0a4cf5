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
/// <remarks>
/// A query text that has once passed validation is kept parsed (<see cref="ValidatedDocuments"/>). The next request
/// with the same text skips parsing and the specification's validation rules, whose verdict is a property of the
/// document and the schema alone, but still runs the limit rules (<c>ComplexityValidationRule</c> for depth and
/// complexity, <see cref="DocumentLimitsRule"/> for fields and aliases): the executer's configuration appends them
/// to every request's rules, and the complexity depends on the request's variables (<c>first: $n</c>).
/// </remarks>
internal sealed class GraphQLOperations(IDocumentExecuter<HubSchema> executer)
{
    private readonly ValidatedDocuments _validated = new();

    /// <summary>
    /// Executes <paramref name="request"/> for <paramref name="principal"/> with <paramref name="services"/>' scoped
    /// services. A subscription's result carries its stream; <paramref name="streamWindow"/> paces its events.
    /// </summary>
    public async Task<ExecutionResult> ExecuteAsync(
        GraphQLRequest request,
        GraphQLDocument? document,
        ClaimsPrincipal user,
        HubPrincipal principal,
        IServiceProvider services,
        SemaphoreSlim? streamWindow,
        CancellationToken cancellationToken)
    {
        var context = new HubRequestContext(principal, services.GetRequiredService<HubDbContext>(), services.GetRequiredService<AgencyDirectory>()) { StreamWindow = streamWindow };
        var options = new ExecutionOptions
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
        };
        var cached = document is null ? _validated.Find(request.Query) : null;
        if (cached is not null)
        {
            // Not null: the configured rules (the limits) are appended to this list instead of to the core rules.
            options.Document = cached;
            options.ValidationRules = [];
        }
        var result = await executer.ExecuteAsync(options);
        if (cached is null && document is null && result.Executed && options.Document is { } parsed)
        {
            _validated.Add(request.Query, parsed);
        }
        return result;
    }
}

/// <summary>
/// Parsed documents of query texts that passed validation, shared by all callers (a document is read, never changed,
/// by execution). Bounded: at most <see cref="MaxEntries"/> texts of at most <see cref="MaxQueryLength"/> characters;
/// when full it starts over, so a client sending many different texts costs others the cache, never memory.
/// </summary>
internal sealed class ValidatedDocuments
{
    /// <summary>Most texts kept.</summary>
    public const int MaxEntries = 512;

    /// <summary>Longest text kept (characters).</summary>
    public const int MaxQueryLength = 16 * 1024;

    private readonly BoundedCache<string, GraphQLDocument> _documents = new(MaxEntries, StringComparer.Ordinal);

    /// <summary>The parsed document of <paramref name="query"/>, if it has passed validation before.</summary>
    public GraphQLDocument? Find(string query) => _documents.TryGet(query, out var document) ? document : null;

    /// <summary>Keeps <paramref name="document"/>, which passed validation, for <paramref name="query"/>.</summary>
    public void Add(string query, GraphQLDocument document)
    {
        if (query.Length <= MaxQueryLength)
        {
            _documents.Add(query, document);
        }
    }
}
