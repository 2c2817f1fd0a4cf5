using SharingHub.Contracts.V1;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Deconfliction;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Gateway.Tests.Deconfliction;

/// <summary>
/// ADR-009's release table, row by row: what a reader sees of the other side of a match, from the other record's
/// label, its owner's kind, whether it involves a victim, and the reader's role (pure, no server).
/// </summary>
public sealed class ReleasePolicyTests
{
    private const string ReaderAgency = "TX0010100";

    // Row 1-3: the label sets the ceiling for a law-enforcement (or prosecution) record read by an enforcement role.
    [Theory]
    [InlineData(Sensitivity.Open, AgencyKind.LawEnforcement, Release.Full)]
    [InlineData(Sensitivity.AgencyOnly, AgencyKind.LawEnforcement, Release.ContactOnly)]
    [InlineData(Sensitivity.Restricted, AgencyKind.LawEnforcement, Release.None)]
    [InlineData(null, AgencyKind.LawEnforcement, Release.None)]
    [InlineData(Sensitivity.Open, AgencyKind.Prosecution, Release.Full)]
    [InlineData(Sensitivity.AgencyOnly, AgencyKind.Prosecution, Release.ContactOnly)]
    [InlineData(Sensitivity.Restricted, AgencyKind.Prosecution, Release.None)]
    public void For_EnforcementReaderAndLabel_TheLabelDecides(Sensitivity? label, AgencyKind owner, Release expected)
    {
        foreach (var role in new[] { HubRoles.Officer, HubRoles.Analyst, HubRoles.Supervisor })
        {
            Assert.Equal(expected, ReleasePolicy.For(Reader(role), new CounterpartFacts(label, owner, InvolvesVictim: false)));
        }
    }

    // Row 4: a victim-service organisation's record tells whom to call, whatever its label (even restricted or none).
    [Theory]
    [InlineData(Sensitivity.Open, false)]
    [InlineData(Sensitivity.AgencyOnly, false)]
    [InlineData(Sensitivity.Restricted, false)]
    [InlineData(null, false)]
    [InlineData(Sensitivity.Open, true)]
    [InlineData(Sensitivity.Restricted, true)]
    public void For_VictimServicesRecord_ContactOnlyWhateverItsLabel(Sensitivity? label, bool involvesVictim)
    {
        Assert.Equal(Release.ContactOnly,
            ReleasePolicy.For(Reader(HubRoles.Officer), new CounterpartFacts(label, AgencyKind.VictimServices, involvesVictim)));
    }

    // Row 5: a victim's record, or a phone or place pointing to a victim, is never an enforcement lead.
    [Theory]
    [InlineData(Sensitivity.Open, Release.ContactOnly)]
    [InlineData(Sensitivity.AgencyOnly, Release.ContactOnly)]
    [InlineData(Sensitivity.Restricted, Release.None)]
    [InlineData(null, Release.None)]
    public void For_RecordInvolvingAVictim_AtMostContactOnly(Sensitivity? label, Release expected)
    {
        Assert.Equal(expected, ReleasePolicy.For(Reader(HubRoles.Officer), new CounterpartFacts(label, AgencyKind.LawEnforcement, InvolvesVictim: true)));
    }

    // Row 6: an advocate never gets enforcement details; a restricted record still releases nothing.
    [Theory]
    [InlineData(Sensitivity.Open, false, Release.ContactOnly)]
    [InlineData(Sensitivity.AgencyOnly, false, Release.ContactOnly)]
    [InlineData(Sensitivity.Restricted, false, Release.None)]
    [InlineData(null, false, Release.None)]
    [InlineData(Sensitivity.Open, true, Release.ContactOnly)]
    public void For_AdvocateReader_AtMostContactOnly(Sensitivity? label, bool involvesVictim, Release expected)
    {
        Assert.Equal(expected, ReleasePolicy.For(Reader(HubRoles.Advocate), new CounterpartFacts(label, AgencyKind.LawEnforcement, involvesVictim)));
        // An advocate who also holds an enforcement role is still an advocate.
        Assert.Equal(expected, ReleasePolicy.For(Reader(HubRoles.Advocate, HubRoles.Supervisor), new CounterpartFacts(label, AgencyKind.LawEnforcement, involvesVictim)));
    }

    // Readers in no reading role never get more than an advocate (the base queries refuse them before this).
    [Theory]
    [InlineData(HubRoles.Admin)]
    [InlineData(HubRoles.Connector)]
    public void For_NonEnforcementRoleOnAnOpenRecord_AtMostContactOnly(string role)
    {
        Assert.Equal(Release.ContactOnly, ReleasePolicy.For(Reader(role), new CounterpartFacts(Sensitivity.Open, AgencyKind.LawEnforcement, InvolvesVictim: false)));
    }

    // The explanation's lines: a line about the counterpart's data only at FULL; a line that reveals nothing always.
    [Theory]
    [InlineData(Release.Full, Disclosure.Counterpart, true)]
    [InlineData(Release.ContactOnly, Disclosure.Counterpart, false)]
    [InlineData(Release.None, Disclosure.Counterpart, false)]
    [InlineData(Release.Full, Disclosure.Nothing, true)]
    [InlineData(Release.ContactOnly, Disclosure.Nothing, true)]
    [InlineData(Release.None, Disclosure.Nothing, true)]
    public void Permits_ReleaseAndDisclosure_OnlyFullShowsTheCounterpartsData(Release release, Disclosure disclosure, bool expected)
    {
        Assert.Equal(expected, release.Permits(disclosure));
    }

    private static HubPrincipal Reader(params string[] roles) =>
        new("subject", ReaderAgency, roles.ToHashSet(StringComparer.Ordinal), Leo: true, Cfr28: true, ClientId: null, Name: null);
}
