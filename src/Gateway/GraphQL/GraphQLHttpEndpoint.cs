using System.Text.Json;
using GraphQL;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.GraphQL.Explorer;

namespace SharingHub.Gateway.GraphQL;

/// <summary>
/// GraphQL over HTTP at <c>/graphql</c>, as the GraphQL-over-HTTP specification says: POST with
/// <c>application/json</c>, GET for queries only (a mutation over GET is 405), responses in
/// <c>application/graphql-response+json</c> or <c>application/json</c> by the Accept header, the status codes the
/// specification gives for each, and no batching. Every request needs a hub user's bearer token (401 otherwise),
/// introspection included.
/// </summary>
internal sealed partial class GraphQLHttpEndpoint(
    GraphQLOperations operations,
    IGraphQLTextSerializer serializer,
    IAuthorizationService authorization,
    IOptions<GraphQLOptions> options,
    IHostEnvironment environment,
    ILogger<GraphQLHttpEndpoint> logger)
{
    /// <summary>The specification's response media type.</summary>
    public const string GraphQLResponseMediaType = "application/graphql-response+json";

    /// <summary>The legacy response media type, and the only request media type.</summary>
    public const string JsonMediaType = "application/json";

    public async Task HandleAsync(HttpContext http)
    {
        if (HttpMethods.IsGet(http.Request.Method) && ExplorerWanted(http.Request))
        {
            await GraphiQLPage.WriteAsync(http);
            return;
        }
        if (!(await authorization.AuthorizeAsync(http.User, HubPolicies.HubUser)).Succeeded)
        {
            // 401 with a Bearer challenge (and the token's error, if one was sent) for no or a rejected token; 403
            // for a valid token that is not a hub user's. The body says so in GraphQL's own error shape, so that
            // clients such as GraphiQL show a sentence instead of failing to parse an empty body.
            var authenticated = http.User.Identity?.IsAuthenticated == true;
            await (authenticated ? http.ForbidAsync() : http.ChallengeAsync());
            if (!http.Response.HasStarted)
            {
                http.Response.ContentLength = null;
                await WriteErrorBodyAsync(http, JsonMediaType, authenticated ? "FORBIDDEN" : "UNAUTHENTICATED", authenticated
                    ? "This token is not a hub user's: it carries no agency, or its agency is disabled."
                    : "Sign in first: send 'Authorization: Bearer <access token>' (in development, ./hub token prints one).");
            }
            return;
        }
        var principal = HubPrincipal.From(http.User)!;

        if (ResponseMediaType(http.Request) is not { } mediaType)
        {
            await WriteRequestErrorAsync(http, JsonMediaType, StatusCodes.Status406NotAcceptable,
                $"Accept {JsonMediaType} or {GraphQLResponseMediaType}.");
            return;
        }

        var (request, error, status) = HttpMethods.IsPost(http.Request.Method)
            ? await ReadPostAsync(http.Request)
            : ReadGet(http.Request);
        if (request is null)
        {
            await WriteRequestErrorAsync(http, mediaType, status, error!);
            return;
        }

        GraphQLDocument? document = null;
        if (HttpMethods.IsGet(http.Request.Method))
        {
            try
            {
                document = Parser.Parse(request.Query, new ParserOptions { Ignore = IgnoreOptions.All });
            }
            catch (GraphQLParserException)
            {
                // Left to the executer, which reports the syntax error as the specification wants it.
            }
            if (document is not null && SelectedOperation(document, request.OperationName) is { } operation && operation.Operation != OperationType.Query)
            {
                http.Response.Headers.Allow = "POST";
                await WriteRequestErrorAsync(http, mediaType, StatusCodes.Status405MethodNotAllowed,
                    $"A {operation.Operation.ToString().ToLowerInvariant()} must be sent with POST.");
                return;
            }
        }

        var result = await operations.ExecuteAsync(request, document, http.User, principal, http.RequestServices, null, http.RequestAborted);

        // graphql-response+json: a request that never executed (syntax, validation or variable errors) is a 400;
        // application/json keeps the legacy 200 for those.
        http.Response.StatusCode = !result.Executed && mediaType == GraphQLResponseMediaType
            ? StatusCodes.Status400BadRequest
            : StatusCodes.Status200OK;
        http.Response.ContentType = $"{mediaType}; charset=utf-8";
        await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
    }

    private bool ExplorerWanted(HttpRequest request) =>
        (options.Value.Explorer ?? environment.IsDevelopment())
        && !request.Query.ContainsKey("query")
        && request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    // The preferred of the two JSON media types the client accepts; application/json for no Accept header, */* or
    // application/*; null when it accepts neither.
    private static string? ResponseMediaType(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return JsonMediaType;
        }
        foreach (var value in accept.OrderByDescending(a => a.Quality ?? 1.0))
        {
            if (value.Quality is 0)
            {
                continue;
            }
            if (value.MediaType.Equals(GraphQLResponseMediaType, StringComparison.OrdinalIgnoreCase))
            {
                return GraphQLResponseMediaType;
            }
            if (value.MediaType.Equals(JsonMediaType, StringComparison.OrdinalIgnoreCase)
                || value.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase)
                || value.MediaType.Equals("*/*", StringComparison.OrdinalIgnoreCase))
            {
                return JsonMediaType;
            }
        }
        return null;
    }

    private async Task<(GraphQLRequest? Request, string? Error, int Status)> ReadPostAsync(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals(JsonMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return (null, $"Send the request as {JsonMediaType}.", StatusCodes.Status415UnsupportedMediaType);
        }
        if (contentType.Charset.HasValue && !contentType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "Send the request encoded as utf-8.", StatusCodes.Status415UnsupportedMediaType);
        }
        var limit = options.Value.MaxRequestBytes;
        if (request.ContentLength > limit)
        {
            return (null, $"The request is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        }
        var body = await ReadLimitedAsync(request.Body, limit, request.HttpContext.RequestAborted);
        if (body is null)
        {
            return (null, $"The request is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        }
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return (null, "The request body is not valid JSON.", StatusCodes.Status400BadRequest);
        }
        using (json)
        {
            return json.RootElement.ValueKind switch
            {
                JsonValueKind.Object => FromJson(json.RootElement),
                JsonValueKind.Array => (null, "Batched requests are not supported: send one operation per request.", StatusCodes.Status400BadRequest),
                _ => (null, "The request body must be a JSON object.", StatusCodes.Status400BadRequest),
            };
        }
    }

    private (GraphQLRequest?, string?, int) FromJson(JsonElement root) =>
        GraphQLRequest.FromJson(root, serializer, out var error) is { } request
            ? (request, null, 0)
            : (null, error, StatusCodes.Status400BadRequest);

    private (GraphQLRequest?, string?, int) ReadGet(HttpRequest request)
    {
        if (request.QueryString.Value?.Length > options.Value.MaxRequestBytes)
        {
            return (null, $"The request is larger than {options.Value.MaxRequestBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        }
        if (request.Query["query"] is not [{ } query] || string.IsNullOrWhiteSpace(query))
        {
            return (null, "The request needs one 'query' parameter.", StatusCodes.Status400BadRequest);
        }
        var operationName = request.Query["operationName"] is [{ } name] && name.Length > 0 ? name : null;
        if (!TryMapParameter(request, "variables", out var variables, out var error) || !TryMapParameter(request, "extensions", out var extensions, out error))
        {
            return (null, error, StatusCodes.Status400BadRequest);
        }
        return (new GraphQLRequest(query, operationName, variables, extensions), null, 0);
    }

    private bool TryMapParameter(HttpRequest request, string parameter, out Inputs? map, out string? error)
    {
        map = null;
        error = null;
        if (request.Query[parameter] is not [{ Length: > 0 } text])
        {
            return true;
        }
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Null)
            {
                return true;
            }
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                map = serializer.ReadNode<Inputs>(json.RootElement);
                return true;
            }
        }
        catch (JsonException)
        {
        }
        error = $"'{parameter}' must be a JSON object.";
        return false;
    }

    private static GraphQLOperationDefinition? SelectedOperation(GraphQLDocument document, string? operationName)
    {
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        return operationName is null
            ? operations.Count == 1 ? operations[0] : null
            : operations.FirstOrDefault(o => o.Name?.Value == operationName);
    }

    private static async Task<byte[]?> ReadLimitedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private async Task WriteRequestErrorAsync(HttpContext http, string mediaType, int status, string message)
    {
        LogRequestRefused(logger, status, message);
        http.Response.StatusCode = status;
        await WriteErrorBodyAsync(http, mediaType, HubErrorCodes.BadRequest, message);
    }

    private async Task WriteErrorBodyAsync(HttpContext http, string mediaType, string code, string message)
    {
        http.Response.ContentType = $"{mediaType}; charset=utf-8";
        await serializer.WriteAsync(http.Response.Body, new ExecutionResult(new ExecutionError(message) { Code = code }), http.RequestAborted);
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "GraphQL request refused with {Status}: {Reason}")]
    private static partial void LogRequestRefused(ILogger logger, int status, string reason);
}
