using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Rules.Custom;
using GraphQLParser.AST;
using Microsoft.Extensions.Options;
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
/// with the same text skips parsing, the specification's validation rules and the fields-and-aliases limit
/// (<see cref="DocumentLimitsRule"/>): their verdict is a property of the document and the schema alone. Depth and
/// complexity (<c>ComplexityValidationRule</c>) are checked again unless the operation declares no variable but
/// strings: a page size (<c>first: $n</c>), an <c>id</c> or a <c>@skip(if: $b)</c> can change its cost, a cursor
/// cannot. Such an operation's verdict is kept with its document once it has passed.
/// </remarks>
internal sealed class GraphQLOperations
{
    private readonly IDocumentExecuter<HubSchema> _executer;
    private readonly IDocumentBuilder _parser;
    private readonly ValidatedDocuments _validated = new();
    private readonly IValidationRule[] _allRules;
    private readonly IValidationRule[] _complexityOnly;

    public GraphQLOperations(IDocumentExecuter<HubSchema> executer, IDocumentBuilder parser, DocumentLimitsRule documentLimits, IOptions<GraphQLOptions> options)
    {
        _executer = executer;
        _parser = parser;
        var limits = options.Value;
        var complexity = new ComplexityValidationRule(new ComplexityOptions { MaxDepth = limits.MaxDepth, MaxComplexity = limits.MaxComplexity });
        _allRules = [.. DocumentValidator.CoreRules, complexity, documentLimits];
        _complexityOnly = [complexity];
    }

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
        var context = new HubRequestContext(principal, services.GetRequiredService<HubDbContext>(), services.GetRequiredService<AgencyDirectory>(),
            () => services.GetRequiredKeyedService<HubDbContext>(Extensions.PageReadsKey)) { StreamWindow = streamWindow };
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
            ValidationRules = _allRules,
        };
        var cached = document is null ? _validated.Find(request.Query) : null;
        if (cached is not null)
        {
            options.Document = cached.Document;
            options.ValidationRules = cached.LimitsPassed(request.OperationName) ? [] : _complexityOnly;
        }
        else
        {
            // Parsed here, so that the document can be kept; the executer keeps its own copy to itself.
            options.Document ??= Parse(request.Query);
        }
        var result = await _executer.ExecuteAsync(options);
        if (result.Executed && options.Document is { } parsed)
        {
            if (cached is null && document is null)
            {
                cached = _validated.Add(request.Query, parsed);
            }
            cached?.RecordLimitsPassed(request.OperationName);
        }
        return result;
    }

    /// <summary>The document <see cref="ValidatedDocuments"/> keeps for <paramref name="query"/>, if any (for tests and diagnostics).</summary>
    internal ValidatedDocument? Validated(string query) => _validated.Find(query);

    // Null for a text that does not parse: the executer parses it again and reports the syntax error in its own words.
    private GraphQLDocument? Parse(string query)
    {
        try
        {
            return _parser.Build(query);
        }
        catch (Exception e) when (e is SyntaxError or GraphQLParser.Exceptions.GraphQLParserException)
        {
            return null;
        }
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

    private readonly BoundedCache<string, ValidatedDocument> _documents = new(MaxEntries, StringComparer.Ordinal);

    /// <summary>The parsed document of <paramref name="query"/>, if it has passed validation before.</summary>
    public ValidatedDocument? Find(string query) => _documents.TryGet(query, out var document) ? document : null;

    /// <summary>Keeps <paramref name="document"/>, which passed validation, for <paramref name="query"/>; null when the text is too long to keep.</summary>
    public ValidatedDocument? Add(string query, GraphQLDocument document)
    {
        if (query.Length > MaxQueryLength)
        {
            return null;
        }
        var validated = new ValidatedDocument(document);
        _documents.Add(query, validated);
        return validated;
    }
}

/// <summary>A document that passed validation, and the operations in it whose depth and complexity are known to pass whatever their variables.</summary>
internal sealed class ValidatedDocument(GraphQLDocument document)
{
    // Operation names (empty for the anonymous one); at most one per operation the document defines.
    private readonly ConcurrentDictionary<string, bool> _limitsPassed = new(StringComparer.Ordinal);

    public GraphQLDocument Document { get; } = document;

    /// <summary>Whether <paramref name="operationName"/>'s depth and complexity passed before and cannot change with its variables.</summary>
    public bool LimitsPassed(string? operationName) => _limitsPassed.ContainsKey(operationName ?? "");

    /// <summary>
    /// Records that <paramref name="operationName"/> passed the limits, if its verdict cannot change with its
    /// variables: it declares none but non-list <c>String</c> ones (a cursor, a text to match), which no cost
    /// estimate reads.
    /// </summary>
    public void RecordLimitsPassed(string? operationName)
    {
        if (LimitsPassed(operationName))
        {
            return;
        }
        var operations = Document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        var operation = operationName is null
            ? operations.Count == 1 ? operations[0] : null
            : operations.Find(o => o.Name?.StringValue == operationName);
        if (operation is not null && (operation.Variables?.Items ?? []).All(v => IsString(v.Type)))
        {
            _limitsPassed.TryAdd(operationName ?? "", true);
        }
    }

    private static bool IsString(GraphQLType type) => type switch
    {
        GraphQLNonNullType nonNull => IsString(nonNull.Type),
        GraphQLNamedType named => named.Name.StringValue == "String",
        _ => false,
    };
}
