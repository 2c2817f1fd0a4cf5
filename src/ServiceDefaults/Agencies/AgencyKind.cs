namespace SharingHub.ServiceDefaults.Agencies;

/// <summary>
/// What kind of member an agency is: one definition for the Gateway and Identity. Victim-service organisations never
/// receive enforcement data and never hold enforcement roles.
/// </summary>
/// <remarks>
/// Both hosts' databases store the kind by its <b>name</b> (<c>agencies.kind</c>, <c>varchar(32)</c>), never its
/// number, so the members' order is free but their names are stored values: renaming one needs a migration of both
/// databases (<c>AgencyKindTests</c> pins them).
/// </remarks>
public enum AgencyKind
{
    /// <summary>A police department, sheriff's office or federal law-enforcement agency.</summary>
    LawEnforcement,

    /// <summary>A victim-services organisation (an NGO); it receives protective alerts only.</summary>
    VictimServices,

    /// <summary>A prosecutor's office.</summary>
    Prosecution,
}
