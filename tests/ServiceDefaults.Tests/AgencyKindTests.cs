using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.ServiceDefaults.Tests;

public sealed class AgencyKindTests
{
    // The Gateway's and Identity's agencies.kind columns hold these names (HasConversion<string>), in rows written
    // since the first migration and by ./hub agency add: a rename here would orphan them.
    [Fact]
    public void Names_AreTheValuesBothDatabasesStore_Unchanged() =>
        Assert.Equal(["LawEnforcement", "Prosecution", "VictimServices"], Enum.GetNames<AgencyKind>().Order(StringComparer.Ordinal));
}
