using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SharingHub.Identity.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running database.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<HubIdentityDbContext>
{
    public HubIdentityDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<HubIdentityDbContext>();
        IdentityDatabase.Configure(options, "Host=127.0.0.1;Database=design_time_only");
        return new HubIdentityDbContext(options.Options);
    }
}
