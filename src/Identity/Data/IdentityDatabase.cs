using Microsoft.EntityFrameworkCore;

namespace SharingHub.Identity.Data;

/// <summary>One place that configures the EF Core provider, shared by the host and design-time tools.</summary>
internal static class IdentityDatabase
{
    public static void Configure(DbContextOptionsBuilder options, string connectionString) => options
        .UseNpgsql(connectionString)
        .UseSnakeCaseNamingConvention()
        .UseOpenIddict();
}
