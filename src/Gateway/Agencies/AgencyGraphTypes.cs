using GraphQL;
using GraphQL.Types;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.GraphQL;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Gateway.Agencies;

/// <summary>The onboarding mutations and the <c>Agency</c> fields they add (ADR-014).</summary>
internal static class AgencyGraphTypes
{
    /// <summary>Adds <c>registerAgency</c> and <c>disableAgency</c>: the <c>admin</c> role only, FORBIDDEN for everyone else.</summary>
    public static void AddAgencyMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<AgencyPayloadGraphType>>("registerAgency")
            .Description("Register an agency (admin only): its row, and the broker access it should have (a user named by its code that may publish records and read its alert queue), which the provisioner then creates. Registering a registered code changes its name, kind and regions, and enables it again if it was disabled.")
            .Argument<NonNullGraphType<RegisterAgencyInputGraphType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<RegisterAgencyInput>("input");
                await EnsureAsync(c, AgencyOperations.Register);
                try
                {
                    var agency = await c.RequestServices!.GetRequiredService<AgencyRegistration>().RegisterAsync(
                        new AgencyRegistrationRequest(input.Code, input.Name, input.Kind, input.Regions), c.Hub().Principal.Subject, c.CancellationToken);
                    return new AgencyPayload(agency);
                }
                catch (AgencyRegistrationException ex)
                {
                    throw HubError.Validation(ex.Message);
                }
            });

        mutation.Field<NonNullGraphType<AgencyPayloadGraphType>>("disableAgency")
            .Description("Disable an agency (admin only): its users are refused by the Gateway at once, the provisioner removes its broker user's permissions and closes its connections, and its records stay.")
            .Argument<NonNullGraphType<DisableAgencyInputGraphType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<DisableAgencyInput>("input");
                await EnsureAsync(c, AgencyOperations.Disable);
                var agency = await c.RequestServices!.GetRequiredService<AgencyRegistration>().DisableAsync(input.Code, c.Hub().Principal.Subject, c.CancellationToken);
                return new AgencyPayload(agency ?? throw HubError.NotFound("Agency", input.Code));
            });
    }

    /// <summary>Adds the administrators' fields to <c>Agency</c>.</summary>
    public static void AddAdministrationFields(this ObjectGraphType<Agency> agency)
    {
        agency.Field<NonNullGraphType<BooleanGraphType>>("enabled")
            .Description("false once an administrator disabled the agency: its users are refused, its records stay.")
            .Resolve(c => c.Source.IsEnabled);
        agency.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("regions")
            .Description("Its phone regions (ISO 3166-1 alpha-2): the default first, then the neighbours.")
            .Resolve(c => c.Source.PhoneRegions);
        agency.Field<BrokerStateGraphType>("brokerState")
            .Description("What the broker holds for the agency, as the provisioner last reported it; null for callers who are not administrators.")
            .ResolveAsync(async c =>
            {
                var authorization = c.RequestServices!.GetRequiredService<IAuthorizationService>();
                if (!(await authorization.AuthorizeAsync(c.User!, null, AgencyOperations.ReadBrokerAccess)).Succeeded)
                {
                    return null;
                }
                return await c.Hub().Db.AgencyBrokerAccess.AsNoTracking().Where(a => a.AgencyCode == c.Source.Code)
                    .Select(a => (BrokerState?)a.State).SingleOrDefaultAsync(c.CancellationToken);
            });
    }

    private static async Task EnsureAsync(IResolveFieldContext context, OperationRequirement operation)
    {
        var authorization = context.RequestServices!.GetRequiredService<IAuthorizationService>();
        if (!(await authorization.AuthorizeAsync(context.User!, null, operation)).Succeeded)
        {
            throw HubError.Forbidden("Only hub administrators (role admin) may register or disable agencies.");
        }
    }
}

/// <summary>Input of <c>registerAgency</c>.</summary>
internal sealed class RegisterAgencyInput
{
    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    public AgencyKind Kind { get; set; }

    public List<string> Regions { get; set; } = [];
}

internal sealed class RegisterAgencyInputGraphType : InputObjectGraphType<RegisterAgencyInput>
{
    public RegisterAgencyInputGraphType()
    {
        Name = "RegisterAgencyInput";
        Field<NonNullGraphType<StringGraphType>>("code").Description("The agency's ORI-like code: 2-16 letters, digits, _ or -. It is also its broker user and its code in Identity.");
        Field<NonNullGraphType<StringGraphType>>("name").Description($"Its display name (at most {AgencyRegistration.MaxNameLength} characters).");
        Field<NonNullGraphType<AgencyKindGraphType>>("kind");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("regions")
            .Description("Its phone regions (ISO 3166-1 alpha-2): the default first, then neighbouring regions whose numbers are read when invalid in it.");
    }
}

/// <summary>Input of <c>disableAgency</c>.</summary>
internal sealed class DisableAgencyInput
{
    public string Code { get; set; } = "";
}

internal sealed class DisableAgencyInputGraphType : InputObjectGraphType<DisableAgencyInput>
{
    public DisableAgencyInputGraphType()
    {
        Name = "DisableAgencyInput";
        Field<NonNullGraphType<StringGraphType>>("code");
    }
}

/// <summary>Result of <c>registerAgency</c> and <c>disableAgency</c>.</summary>
internal sealed record AgencyPayload(Agency Agency);

internal sealed class AgencyPayloadGraphType : ObjectGraphType<AgencyPayload>
{
    public AgencyPayloadGraphType()
    {
        Name = "AgencyPayload";
        Field<NonNullGraphType<AgencyGraphType>>("agency").Resolve(c => c.Source.Agency);
    }
}

internal sealed class BrokerStateGraphType : EnumerationGraphType<BrokerState>
{
    public BrokerStateGraphType()
    {
        Name = "BrokerState";
        Description = "What the broker holds for an agency, as the provisioner last reported it.";
    }
}
