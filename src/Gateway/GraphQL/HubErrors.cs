using GraphQL;

namespace SharingHub.Gateway.GraphQL;

/// <summary>The error codes the API puts in <c>errors[].extensions.code</c>; each expected outcome has one.</summary>
public static class HubErrorCodes
{
    /// <summary>No such object, or the caller may not see it: the same answer, so ids cannot be probed.</summary>
    public const string NotFound = "NOT_FOUND";

    /// <summary>The input breaks a rule; the message says which.</summary>
    public const string Validation = "VALIDATION";

    /// <summary>The caller's role may not do this.</summary>
    public const string Forbidden = "FORBIDDEN";

    /// <summary>The request itself is malformed, too large, or of a media type the endpoint does not take (transport level).</summary>
    public const string BadRequest = "BAD_REQUEST";

    /// <summary>The document selects more fields than <see cref="GraphQLOptions.MaxFields"/>.</summary>
    public const string FieldLimit = "FIELD_LIMIT";

    /// <summary>The document uses more aliases than <see cref="GraphQLOptions.MaxAliases"/>.</summary>
    public const string AliasLimit = "ALIAS_LIMIT";

    /// <summary>
    /// GraphQL.NET's complexity analyzer: the document nests deeper than <see cref="GraphQLOptions.MaxDepth"/> ("too
    /// nested") or is estimated costlier than <see cref="GraphQLOptions.MaxComplexity"/> ("too complex").
    /// </summary>
    public const string Complexity = "COMPLEXITY";
}

/// <summary>An expected outcome reported as a GraphQL error with a code; never carries record contents.</summary>
public sealed class HubError : ExecutionError
{
    private HubError(string code, string message) : base(message) => Code = code;

    /// <summary>NOT_FOUND for <paramref name="what"/> with <paramref name="id"/>.</summary>
    public static HubError NotFound(string what, string id) => new(HubErrorCodes.NotFound, $"{what} {id} was not found.");

    /// <summary>VALIDATION with a specific reason.</summary>
    public static HubError Validation(string message) => new(HubErrorCodes.Validation, message);

    /// <summary>FORBIDDEN with the reason.</summary>
    public static HubError Forbidden(string message) => new(HubErrorCodes.Forbidden, message);
}
