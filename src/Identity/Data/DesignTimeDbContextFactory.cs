using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SharingHub.Identity.Data;

/// <summary>
/// Lets <c>dotnet ef</c> build the model without starting the host. Adding a migration needs no database; the migration
/// bundle (deploy/k8s's <c>sharinghub-identity-migrate</c> Job) takes the real one from <c>ConnectionStrings__identitydb</c>.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<HubIdentityDbContext>
{
    public HubIdentityDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<HubIdentityDbContext>();
        IdentityDatabase.Configure(options,
            Environment.GetEnvironmentVariable("ConnectionStrings__identitydb") ?? "Host=127.0.0.1;Database=design_time_only");
        return new HubIdentityDbContext(options.Options);
    }
}
