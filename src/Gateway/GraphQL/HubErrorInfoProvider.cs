using System.Diagnostics;
using GraphQL;
using GraphQL.Execution;

namespace SharingHub.Gateway.GraphQL;

/// <summary>
/// How every GraphQL error is shown: its message and code, never exception details, and the request's trace id in
/// <c>extensions.traceId</c> (as the hub's ProblemDetails carry it), so that an operator can find the request in the logs.
/// </summary>
internal sealed class HubErrorInfoProvider(IHttpContextAccessor http) : ErrorInfoProvider(new ErrorInfoProviderOptions { ExposeExceptionDetails = false })
{
    /// <summary>The extension that carries the trace id.</summary>
    public const string TraceIdExtension = "traceId";

    public override ErrorInfo GetInfo(ExecutionError executionError)
    {
        var info = base.GetInfo(executionError);
        if ((Activity.Current?.Id ?? http.HttpContext?.TraceIdentifier) is { } traceId)
        {
            info.Extensions ??= new Dictionary<string, object?>();
            info.Extensions[TraceIdExtension] = traceId;
        }
        return info;
    }
}
