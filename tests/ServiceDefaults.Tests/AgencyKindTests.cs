using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.ServiceDefaults.Tests;

public sealed class AgencyKindTests
{
    // The Gateway's and Identity's agencies.kind columns hold these names (HasConversion<string>), in rows written
    // since the first migration and by ./hub agency add: a rename here would orphan them.
    [Fact]
    public void Names_AreTheValuesBothDatabasesStore_Unchanged() =>
        Assert.Equal(["LawEnforcement", "Prosecution", "VictimServices"], Enum.GetNames<AgencyKind>().Order(StringComparer.Ordinal));

    // agency_broker_access.state holds these names: the Gateway writes Pending, the provisioner the others, and its
    // query of the unreconciled rows names 'Pending' and 'Failed' in SQL.
    [Fact]
    public void BrokerStateNames_AreTheValuesTheRegistryStores_Unchanged() =>
        Assert.Equal(["Disabled", "Failed", "Pending", "Ready"], Enum.GetNames<BrokerState>().Order(StringComparer.Ordinal));
}
