using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using SharingHub.Identity.Audit;

namespace SharingHub.Identity.Accounts;

/// <summary>
/// Logon attempts per source address (<see cref="AccountOptions.LogonAttemptsPerAddress"/> per
/// <see cref="AccountOptions.LogonWindowSeconds"/>): what slows a password guesser down, instead of an account
/// lockout that any stranger could trigger. Behind a proxy the address is the client's, from the trusted
/// proxies' forwarded headers.
/// </summary>
internal static class LogonRateLimit
{
    public const string PolicyName = "logon";

    public static IServiceCollection AddLogonRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(PolicyName, context =>
            {
                var accounts = context.RequestServices.GetRequiredService<IOptions<AccountOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = accounts.LogonAttemptsPerAddress,
                        Window = TimeSpan.FromSeconds(accounts.LogonWindowSeconds),
                        QueueLimit = 0,
                    });
            });
            o.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(
                        System.Globalization.CultureInfo.InvariantCulture);
                }
                await context.HttpContext.RequestServices.GetRequiredService<AuditLog>().WriteAsync(AuditEvents.LocalLogon,
                    AuditOutcome.Failure, null, null, "throttled: too many logon attempts from this address", cancellationToken);
            };
        });
        return services;
    }
}
