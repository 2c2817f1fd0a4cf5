using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Records;
using SharingHub.Matching;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>Wiring of the Deconfliction feature.</summary>
public static class DeconflictionExtensions
{
    /// <summary>
    /// Registers incremental matching: the engine (options <c>Matching</c>), blocking keys and matching after each
    /// stored batch (<see cref="IStoredRecordsHandler"/>), the pending-marker sweeper, the re-keying after a key-scheme
    /// upgrade and the adjudication service.
    /// </summary>
    public static IServiceCollection AddDeconfliction(this IServiceCollection services, string connectionName)
    {
        services.AddValidatedOptions<DeconflictionOptions>(DeconflictionOptions.SectionName);
        services.AddValidatedOptions<MatchingOptions>(MatchingOptions.SectionName);
        services.AddSingleton(sp => new MatchingEngine(sp.GetRequiredService<IOptions<MatchingOptions>>().Value));
        services.AddSingleton(sp => new MatchableLoader(sp.GetRequiredService<MatchingEngine>()));
        services.AddSingleton(sp =>
        {
            var builder = new NpgsqlDataSourceBuilder(sp.GetRequiredService<IOptionsMonitor<ConnectionStringOptions>>().Get(connectionName).Value);
            // Matching writes only derived data (matches, their events, cleared markers), which the sweeper recomputes
            // from the markers if a crash loses a commit: its commits need not wait for the WAL flush.
            var options = builder.ConnectionStringBuilder.Options;
            builder.ConnectionStringBuilder.Options = string.IsNullOrWhiteSpace(options) ? "-c synchronous_commit=off" : options + " -c synchronous_commit=off";
            // The same few statements run for every batch: prepared once per connection, they skip parsing and planning.
            if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
            }
            return builder.Build();
        });
        services.AddSingleton<DeconflictionMetrics>();
        services.AddSingleton<BlockingKeyWriter>();
        services.AddSingleton<IncrementalMatcher>();
        services.AddScoped<IStoredRecordsHandler, DeconflictionHandler>();
        services.AddSingleton<PendingMatchSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<PendingMatchSweeper>());
        services.AddSingleton<KeySchemeUpgrader>();
        services.AddHostedService(sp => sp.GetRequiredService<KeySchemeUpgrader>());
        services.AddScoped(sp => new AdjudicationService(sp.GetRequiredService<HubDbContext>(), sp.GetRequiredService<MatchableLoader>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }

    /// <summary>
    /// Maps <c>POST /matches/{id}/adjudications</c> (body <c>{"decision":"NotSame","note":"…"}</c>): an officer,
    /// analyst or supervisor of one of the match's two agencies (<see cref="RecordOperations.Adjudicate"/>); anyone
    /// else, and an unknown id, gets 404.
    /// </summary>
    public static IEndpointRouteBuilder MapDeconflictionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/matches/{id:long}/adjudications", async (long id, AdjudicationRequest request, ClaimsPrincipal user,
                IAuthorizationService authorization, HubDbContext db, AdjudicationService adjudications, CancellationToken cancellationToken) =>
            {
                if (HubPrincipal.From(user) is not { } principal)
                {
                    return Results.Forbid();
                }
                var agencies = await db.Set<Match>().Where(m => m.Id == id).Select(m => new MatchResource(m.AgencyA, m.AgencyB))
                    .SingleOrDefaultAsync(cancellationToken);
                if (agencies is null || !(await authorization.AuthorizeAsync(user, agencies, RecordOperations.Adjudicate)).Succeeded)
                {
                    return Results.NotFound();
                }
                if (!Enum.TryParse<AdjudicationDecision>(request.Decision, ignoreCase: false, out var decision) || !Enum.IsDefined(decision))
                {
                    return Results.Problem(statusCode: 400, title: "decision must be Same or NotSame");
                }
                try
                {
                    var stored = await adjudications.AdjudicateAsync(id, decision, principal.Agency, principal.Subject, request.Note, cancellationToken);
                    return Results.Created($"/matches/{id}/adjudications/{stored.Id}", new { stored.Id, decision = stored.Decision.ToString(), stored.DecidedAt });
                }
                catch (MatchNotFoundException)
                {
                    return Results.NotFound();
                }
                catch (InvalidAdjudicationException ex)
                {
                    return Results.Problem(statusCode: 400, title: ex.Message);
                }
            })
            .RequireAuthorization(HubPolicies.HubUser);
        return endpoints;
    }
}

/// <summary>Body of <c>POST /matches/{id}/adjudications</c>.</summary>
/// <param name="Decision"><c>Same</c> or <c>NotSame</c>.</param>
/// <param name="Note">Optional note (at most <see cref="AdjudicationService.MaxNoteLength"/> characters).</param>
public sealed record AdjudicationRequest(string Decision, string? Note);
