using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SharingHub.Gateway.Data;

/// <summary>
/// Lets <c>dotnet ef</c> build the model without starting the host. Adding a migration needs no database;
/// <c>dotnet ef database update</c> takes the real one from <c>ConnectionStrings__hubdb</c>.
/// </summary>
internal sealed class DesignTimeHubDbContextFactory : IDesignTimeDbContextFactory<HubDbContext>
{
    public HubDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__hubdb")
            ?? "Host=127.0.0.1;Database=sharinghub_design";
        var options = new DbContextOptionsBuilder<HubDbContext>()
            .UseNpgsql(connectionString)
            .UseSnakeCaseNamingConvention()
            .Options;
        return new HubDbContext(options);
    }
}
