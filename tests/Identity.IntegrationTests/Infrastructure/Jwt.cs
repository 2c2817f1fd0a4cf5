using Microsoft.IdentityModel.JsonWebTokens;

namespace SharingHub.Identity.IntegrationTests.Infrastructure;

/// <summary>Reads a JWT's header and claims without validating it (assertions only).</summary>
public static class Jwt
{
    public static JsonWebToken Read(string token) => new(token);

    public static IReadOnlyList<string> Values(this JsonWebToken token, string type) =>
        token.Claims.Where(c => c.Type == type).Select(c => c.Value).ToList();

    public static string? Value(this JsonWebToken token, string type) =>
        token.Claims.FirstOrDefault(c => c.Type == type)?.Value;
}
