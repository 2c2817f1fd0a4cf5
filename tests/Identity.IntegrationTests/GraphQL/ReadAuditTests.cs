using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Feeds;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>Every read of another agency's released data leaves a row in the append-only audit table: who, what, when and why.</summary>
[Collection(GraphQLGroup.Name)]
public sealed class ReadAuditTests(GraphQLFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Match_CounterpartsOfEachSensitivity_ReleasedReadsAuditedWithWhoWhatAndWhyRestrictedOneNot()
    {
        var token = await fixture.TokenAsync(fixture.CountySheriff, HubRoles.Analyst);
        var subject = Jwt.Read(token).Subject;
        var (open, agencyOnly, restricted) = (fixture.EnforcementRecord(Sensitivity.Open),
            fixture.EnforcementRecord(Sensitivity.AgencyOnly), fixture.EnforcementRecord(Sensitivity.Restricted));
        var operation = $"AuditCheck{Guid.NewGuid():N}";
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var answer = await fixture.Client.PostAsync(
            $$"""
            query {{operation}}($open: ID!, $agencyOnly: ID!, $restricted: ID!) {
              open: match(id: $open) { score counterpart { release } }
              agencyOnly: match(id: $agencyOnly) { counterpart { release contact { name } } }
              restricted: match(id: $restricted) { counterpart { release } }
            }
            """,
            new { open = Id(open), agencyOnly = Id(agencyOnly), restricted = Id(restricted) },
            token, Ct);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("NONE", answer.Data.GetProperty("restricted").GetProperty("counterpart").GetProperty("release").GetString());
        var rows = await fixture.Gateway.WithDatabaseAsync(db => db.AuditEvents.AsNoTracking()
            .Where(a => a.Actor == subject && a.Detail!.Contains(operation)).ToListAsync(Ct));
        // The situations are City Police's records; the sheriff's analyst reads them as the counterparts. The
        // operation's reads are one row, naming each read with its release.
        var row = Assert.Single(rows);
        Assert.Equal("read.counterpart", row.Action);
        Assert.Equal("2 counterpart reads", row.Target);
        Assert.True(row.Succeeded);
        Assert.InRange(row.OccurredAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.StartsWith($"agency {fixture.CountySheriff} (analyst); graphql query {operation}; trace ", row.Detail, StringComparison.Ordinal);
        Assert.Matches("trace [0-9a-f]{32}; read:", row.Detail!);
        Assert.Contains($" match {open.MatchId} record {open.RecordId} ({fixture.CityPolice}, release Full);", row.Detail, StringComparison.Ordinal);
        Assert.Contains($" match {agencyOnly.MatchId} record {agencyOnly.RecordId} ({fixture.CityPolice}, release ContactOnly);", row.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain($" match {restricted.MatchId} ", row.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MatchEvents_ReleasedCounterpartsInEvents_AuditedBeforeDeliveryRestrictedOneNot()
    {
        var token = await fixture.TokenAsync(fixture.CountySheriff, HubRoles.Analyst);
        var subject = Jwt.Read(token).Subject;
        var (open, agencyOnly, restricted) = (fixture.EnforcementRecord(Sensitivity.Open),
            fixture.EnforcementRecord(Sensitivity.AgencyOnly), fixture.EnforcementRecord(Sensitivity.Restricted));
        var wanted = new[] { open.MatchId, agencyOnly.MatchId, restricted.MatchId }.Select(id => id.ToString(CultureInfo.InvariantCulture)).ToHashSet();
        var operation = $"SubAudit{Guid.NewGuid():N}";
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);

        await socket.SendAsync(new
        {
            id = "a",
            type = "subscribe",
            payload = new
            {
                query = $"subscription {operation}($after: String) {{ matchEvents(after: $after) {{ match {{ id counterpart {{ release }} }} }} }}",
                variables = new { after = new FeedCursor(0, 0).Encode() },
            },
        }, Ct);
        while (wanted.Count > 0)
        {
            var next = await socket.NextAsync(Ct);
            Assert.True(next.Type == "next", $"expected an event, got {next}");
            wanted.Remove(next.Payload.GetProperty("data").GetProperty("matchEvents").GetProperty("match").GetProperty("id").GetString()!);
        }

        // Each event was audited before it was sent, so its row is there once the event has arrived.
        var details = await fixture.Gateway.WithDatabaseAsync(db => db.AuditEvents.AsNoTracking()
            .Where(a => a.Actor == subject && a.Detail!.Contains(operation)).Select(a => a.Detail!).ToListAsync(Ct));
        // Once each: an event is audited by the subscription's event path only.
        Assert.Single(details, d => d.Contains($" match {open.MatchId} record {open.RecordId} ", StringComparison.Ordinal));
        Assert.Single(details, d => d.Contains($" match {agencyOnly.MatchId} record {agencyOnly.RecordId} ", StringComparison.Ordinal));
        Assert.DoesNotContain(details, d => d.Contains($" match {restricted.MatchId} ", StringComparison.Ordinal));
    }

    private static string Id(Situation situation) => situation.MatchId.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Records_OwnRecordsOnly_NothingAudited()
    {
        var token = await fixture.TokenAsync(fixture.CountySheriff, HubRoles.Analyst);
        var subject = Jwt.Read(token).Subject;
        var operation = $"OwnOnly{Guid.NewGuid():N}";

        var answer = await fixture.Client.PostAsync($"query {operation} {{ records(first: 20) {{ edges {{ node {{ localId }} }} }} }}", token: token, cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.NotEmpty(answer.Data.GetProperty("records").GetProperty("edges").EnumerateArray());
        Assert.False(await fixture.Gateway.WithDatabaseAsync(db => db.AuditEvents.AnyAsync(a => a.Actor == subject && a.Detail!.Contains(operation), Ct)));
    }
}
