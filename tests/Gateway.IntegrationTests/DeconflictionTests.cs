using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Deconfliction;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// Incremental matching end to end: agencies publish over RabbitMQ as their own broker users, the Gateway stores,
/// keys, commits, looks up, scores and writes matches in the real PostgreSQL. Every test uses fresh agencies.
/// </summary>
public sealed class DeconflictionTests(DeconflictionFixture hub) : IClassFixture<DeconflictionFixture>
{
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PersonIdentity_NameVariantsAcrossAgencies_OneMatchWithExplanationAndFoundEvent()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Person("P-1", "María José", "García López", "1988-03-14", ssn: "123456789"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");
        await b.PublishAsync(Records.Person("X-9", "MARIA", "GARCIA-LOPEZ", "1988-03-14"));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "X-9");

        var match = Assert.Single(await hub.MatchesAsync(a, b)).Match;
        Assert.Equal(MatchKind.PersonIdentity, match.Kind);
        Assert.Equal("Match", match.Band);
        Assert.Null(match.ClosedAt);
        var explanation = MatchExplanation.FromJson(match.Explanation);
        var fields = explanation.Lines.ToDictionary(f => f.Field);
        Assert.Equal("Exact", fields["BirthDate"].Level);
        Assert.True(fields["Surname"].Weight > 0);
        // The lines account for the score (each weight is rounded to 0.01 on its own).
        Assert.InRange(explanation.Lines.Sum(l => l.Weight ?? 0) - match.Score!.Value, -0.05, 0.05);
        Assert.All(explanation.Lines, l => Assert.Equal(Disclosure.Counterpart, l.Discloses));
        Assert.Equal([MatchEventType.MatchFound], await hub.EventsAsync(match.Id));
    }

    [Fact]
    public async Task PersonIdentity_SameAgency_NeverMatches()
    {
        var a = await hub.AddAgencyAsync("S");
        await a.PublishAsync(Records.Person("P-1", "Juan", "Pérez Soto", "1975-06-01", ssn: "555112222"),
            Records.Person("P-2", "Juan", "Pérez Soto", "1975-06-01", ssn: "555112222"));
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-2");

        Assert.Empty(await hub.MatchesAsync(a, a));
    }

    [Fact]
    public async Task SharedPhone_OverlappingValidity_MatchNamesBothSubjects()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Person("P-1", "Ana", "Ruiz", "1990"), Records.Phone("T-1", "P-1", "+17135550199", new DateOnly(2026, 1, 1)));
        await b.PublishAsync(Records.Person("Q-1", "Pedro", "Soto", "1970"), Records.Phone("T-7", "Q-1", "+17135550199", new DateOnly(2025, 6, 1), new DateOnly(2026, 1, 1)));
        await hub.WaitForMatchingAsync(b, RecordKind.Phone, "T-7");
        await hub.WaitForMatchingAsync(a, RecordKind.Phone, "T-1");

        var match = Assert.Single(await hub.MatchesAsync(a, b), m => m.Match.Kind == MatchKind.SharedPhone);
        var subjects = await hub.App.WithDatabaseAsync(db => db.Records.Where(r => r.Id == match.Match.SubjectAId || r.Id == match.Match.SubjectBId)
            .Select(r => r.LocalId).ToListAsync());
        Assert.Equal(["P-1", "Q-1"], subjects.Order());
        var line = Assert.Single(MatchExplanation.FromJson(match.Match.Explanation).Lines);
        Assert.Equal(("Phone", "Exact"), (line.Field, line.Level));
        Assert.Contains("+17135550199", line.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SharedPhone_RecycledNumberWithDisjointValidity_NoMatch()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Phone("T-1", null, "+17135550142", new DateOnly(2020, 1, 1), new DateOnly(2021, 12, 31)));
        await b.PublishAsync(Records.Phone("T-2", null, "+17135550142", new DateOnly(2022, 1, 1)));
        await hub.WaitForMatchingAsync(a, RecordKind.Phone, "T-1");
        await hub.WaitForMatchingAsync(b, RecordKind.Phone, "T-2");

        Assert.Empty(await hub.MatchesAsync(a, b));
    }

    [Fact]
    public async Task SharedPlace_SameAddressWrittenDifferently_Match()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Place("L-1", null, "1200 Main Street Apt 4, Houston, TX 77002"));
        await b.PublishAsync(Records.Place("L-2", null, "1200 MAIN ST #4, Houston TX 77002"));
        await hub.WaitForMatchingAsync(a, RecordKind.Location, "L-1");
        await hub.WaitForMatchingAsync(b, RecordKind.Location, "L-2");

        var match = Assert.Single(await hub.MatchesAsync(a, b)).Match;
        Assert.Equal(MatchKind.SharedPlace, match.Kind);
        Assert.Equal("SameAddress", Assert.Single(MatchExplanation.FromJson(match.Explanation).Lines).Level);
    }

    [Fact]
    public async Task OperationConflict_OverlappingAreaAndTime_MatchButNotWhenApartInTime()
    {
        var (a, b, c) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"), await hub.AddAgencyAsync("C"));
        await a.PublishAsync(Records.Operation("OP-1", 29.7604, -95.3698, 300, Monday, TimeSpan.FromHours(2)));
        await b.PublishAsync(Records.Operation("OP-2", 29.7614, -95.3690, 200, Monday.AddHours(1), TimeSpan.FromHours(2)));
        await c.PublishAsync(Records.Operation("OP-3", 29.7604, -95.3698, 300, Monday.AddHours(3), TimeSpan.FromHours(2)));
        foreach (var (agency, id) in new[] { (a, "OP-1"), (b, "OP-2"), (c, "OP-3") })
        {
            await hub.WaitForMatchingAsync(agency, RecordKind.Location, id);
        }

        Assert.Equal(MatchKind.OperationConflict, Assert.Single(await hub.MatchesAsync(a, b)).Match.Kind);
        Assert.Empty(await hub.MatchesAsync(a, c));
        // OP-2 ends at 13:00 when OP-3 starts: touching windows conflict.
        Assert.Single(await hub.MatchesAsync(b, c));
    }

    [Fact]
    public async Task SubjectInOperation_SubjectPlaceInsideOtherAgencysOperation_MatchNamesSubject()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Person("P-1", "Luis", "Mora", "1980"), Records.Place("L-1", "P-1", "500 Elm St, Houston, TX", 29.7610, -95.3700));
        await hub.WaitForMatchingAsync(a, RecordKind.Location, "L-1");
        await b.PublishAsync(Records.Operation("OP-1", 29.7604, -95.3698, 300, Monday, TimeSpan.FromHours(2)));
        await hub.WaitForMatchingAsync(b, RecordKind.Location, "OP-1");

        var match = Assert.Single(await hub.MatchesAsync(a, b)).Match;
        Assert.Equal(MatchKind.SubjectInOperation, match.Kind);
        var subject = await hub.App.WithDatabaseAsync(db => db.Records.SingleAsync(r => r.Id == (match.SubjectAId ?? match.SubjectBId)));
        Assert.Equal("P-1", subject.LocalId);
    }

    [Fact]
    public async Task PersonIdentity_NewPhoneOfSubject_RescoresAndRaisesChange()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Person("P-1", "Rosa", "Vega", "1985"), Records.Phone("T-1", "P-1", "+525512345678"));
        await b.PublishAsync(Records.Person("Q-1", "Rosa", "Vega", "1985"));
        await hub.WaitForMatchingAsync(a, RecordKind.Phone, "T-1");
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-1");
        var before = Assert.Single(await hub.MatchesAsync(a, b)).Match;

        await b.PublishAsync(Records.Phone("T-9", "Q-1", "+525512345678"));
        await hub.WaitForMatchingAsync(b, RecordKind.Phone, "T-9");

        var after = (await hub.MatchesAsync(a, b)).Single(m => m.Match.Kind == MatchKind.PersonIdentity).Match;
        Assert.Equal(before.Id, after.Id);
        Assert.True(after.Score > before.Score, $"score {after.Score} should exceed {before.Score} with a shared phone");
        Assert.Equal("Exact", MatchExplanation.FromJson(after.Explanation).Lines.Single(l => l.Field == "Phone").Level);
        Assert.Equal([MatchEventType.MatchFound, MatchEventType.MatchChanged], await hub.EventsAsync(after.Id));
        Assert.Single(await hub.MatchesAsync(a, b), m => m.Match.Kind == MatchKind.SharedPhone);
    }

    [Fact]
    public async Task Withdrawal_OfOneRecord_ClosesItsMatches()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Person("P-1", "Carlos", "Ibarra Núñez", "1979-11-02", ssn: "222334444"));
        await b.PublishAsync(Records.Person("Q-1", "Carlos", "Ibarra", "1979-11-02", ssn: "222334444"));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-1");
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");
        var open = Assert.Single(await hub.MatchesAsync(a, b)).Match;
        Assert.Null(open.ClosedAt);

        await b.PublishAsync(Records.Withdrawal(RecordKind.Person, "Q-1", 2));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-1", version: 2);

        var closed = Assert.Single(await hub.MatchesAsync(a, b)).Match;
        Assert.NotNull(closed.ClosedAt);
        Assert.Equal(MatchCloseReason.Withdrawn, closed.CloseReason);
        Assert.Equal([MatchEventType.MatchFound, MatchEventType.MatchClosed], await hub.EventsAsync(closed.Id));
    }

    [Fact]
    public async Task Adjudication_NotSame_SuppressesUntilAMatchingFieldChanges()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Person("P-1", "Jorge", "Salinas", "1992-04-05"));
        await b.PublishAsync(Records.Person("Q-1", "Jorge", "Salinas", "1992-04-05"));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-1");
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");
        var match = Assert.Single(await hub.MatchesAsync(a, b)).Match;

        // The records are victims': NOT_SAME needs a supervisor.
        await hub.WithServicesAsync(sp => sp.GetRequiredService<AdjudicationService>()
            .AdjudicateAsync(match.Id, AdjudicationDecision.NotSame, a.Code, "supervisor-1", "twins; checked with the family", bySupervisor: true));

        // A new version that changes labels only: re-scored, still suppressed, no event.
        await b.PublishAsync(Records.Person("Q-1", "Jorge", "Salinas", "1992-04-05", version: 2, sensitivity: Sensitivity.AgencyOnly));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-1", version: 2);
        var suppressed = Assert.Single(await hub.MatchesAsync(a, b)).Match;
        Assert.True(suppressed.Suppressed);
        Assert.Equal([MatchEventType.MatchFound, MatchEventType.MatchAdjudicated], await hub.EventsAsync(match.Id));

        // A matching field changes (an alias): the pair is raised again and the adjudication is marked lifted.
        await b.PublishAsync(Records.Person("Q-1", "Jorge", "Salinas", "1992-04-05", version: 3, aliases: ["El Güero"]));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-1", version: 3);
        var raised = Assert.Single(await hub.MatchesAsync(a, b)).Match;
        Assert.False(raised.Suppressed);
        Assert.Equal([MatchEventType.MatchFound, MatchEventType.MatchAdjudicated, MatchEventType.MatchChanged], await hub.EventsAsync(match.Id));
        var adjudication = await hub.App.WithDatabaseAsync(db => db.Adjudications.SingleAsync(x => x.MatchId == match.Id));
        Assert.Equal(AdjudicationDecision.NotSame, adjudication.Decision);
        Assert.Equal(a.Code, adjudication.AgencyCode);
        Assert.NotNull(adjudication.LiftedAt);
    }

    [Fact]
    public async Task Adjudication_NotSameOnAVictimsMatchByAnOfficer_IsRefusedAndNothingStored()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Person("P-1", "Rosalba", "Quintanilla", "1999-10-30"));
        await b.PublishAsync(Records.Person("Q-1", "Rosalba", "Quintanilla", "1999-10-30"));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-1");
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");
        var match = Assert.Single(await hub.MatchesAsync(a, b)).Match;

        var refused = await Assert.ThrowsAsync<AdjudicationForbiddenException>(() => hub.WithServicesAsync(sp => sp.GetRequiredService<AdjudicationService>()
            .AdjudicateAsync(match.Id, AdjudicationDecision.NotSame, a.Code, "officer-1", "not her")));
        Assert.Contains("supervisor", refused.Message, StringComparison.Ordinal);
        Assert.False(await hub.App.WithDatabaseAsync(db => db.Adjudications.AnyAsync(x => x.MatchId == match.Id)));
        Assert.False(Assert.Single(await hub.MatchesAsync(a, b)).Match.Suppressed);
    }

    [Fact]
    public async Task Adjudication_ByAnAgencyNotInTheMatch_NotFound()
    {
        var (a, b, outsider) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"), await hub.AddAgencyAsync("O"));
        await a.PublishAsync(Records.Person("P-1", "Inés", "Quiroga", "1966-02-02"));
        await b.PublishAsync(Records.Person("Q-1", "Ines", "Quiroga", "1966-02-02"));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-1");
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");
        var match = Assert.Single(await hub.MatchesAsync(a, b)).Match;

        await Assert.ThrowsAsync<MatchNotFoundException>(() => hub.WithServicesAsync(sp => sp.GetRequiredService<AdjudicationService>()
            .AdjudicateAsync(match.Id, AdjudicationDecision.Same, outsider.Code, "officer-9", null)));
        Assert.False(await hub.App.WithDatabaseAsync(db => db.Adjudications.AnyAsync(x => x.MatchId == match.Id)));
    }

    [Fact]
    public async Task Redelivery_AndRerunOfMatching_CreateNoDuplicateMatchOrEvent()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        var p = Records.Person("P-1", "Elena", "Durán Ortiz", "1983-08-21", ssn: "777889999");
        var q = Records.Person("Q-1", "Elena", "Duran", "1983-08-21", ssn: "777889999");
        await a.PublishAsync(p);
        await b.PublishAsync(q);
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-1");
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");
        var match = Assert.Single(await hub.MatchesAsync(a, b)).Match;

        // The same messages again (a redelivery stores nothing), then a crash-recovery re-run of both records.
        await a.PublishAsync(p);
        await b.PublishAsync(q, Records.Person("MARK", "Zzz", "Marker", null));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "MARK");
        await hub.App.WithDatabaseAsync(db => db.Database.ExecuteSqlAsync(
            $"INSERT INTO match_pending (record_id, queued_at, attempts) SELECT id, now() - interval '1 minute', 0 FROM records WHERE id IN ({match.RecordAId}, {match.RecordBId})"));
        await hub.WithServicesAsync(sp => sp.GetRequiredService<MatchWorkers>().RunNextAsync(CancellationToken.None));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "MARK");

        Assert.Single(await hub.MatchesAsync(a, b));
        Assert.Equal([MatchEventType.MatchFound], await hub.EventsAsync(match.Id));
    }

    [Fact]
    public async Task Workers_RecordCommittedWithoutItsMatch_FindTheMatchFromThePendingMarker()
    {
        var (a, b) = (await hub.AddAgencyAsync("A"), await hub.AddAgencyAsync("B"));
        await a.PublishAsync(Records.Person("P-1", "Tomás", "Aguirre", "1958-12-30", ssn: "999001111"));
        await b.PublishAsync(Records.Person("Q-1", "Tomas", "Aguirre", "1958-12-30", ssn: "999001111"));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-1");
        await hub.WaitForMatchingAsync(a, RecordKind.Person, "P-1");
        var match = Assert.Single(await hub.MatchesAsync(a, b)).Match;

        // As if the Gateway died between the commit of Q-1 and its matching: no match row, only the marker.
        await hub.App.WithDatabaseAsync(db => db.Database.ExecuteSqlAsync(
            $"DELETE FROM matches WHERE id = {match.Id}; INSERT INTO match_pending (record_id, queued_at, attempts) VALUES ({match.RecordBId}, now(), 0)"));
        await hub.WaitForMatchingAsync(b, RecordKind.Person, "Q-1");

        Assert.Equal(MatchKind.PersonIdentity, Assert.Single(await hub.MatchesAsync(a, b)).Match.Kind);
    }

    [Fact]
    public async Task Lookup_CandidateAndOpenMatchQueries_UseIndexes()
    {
        await using var connection = new NpgsqlConnection(hub.Database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        // On near-empty tables the planner may choose anything; with sequential scans priced out, the plans must
        // still reach record_keys and matches through their indexes.
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        foreach (var sql in new[] { IncrementalMatcher.LookupSql, IncrementalMatcher.OpenMatchesSql })
        {
            await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
            explain.Parameters.Add(new NpgsqlParameter<long[]>("ids", [1, 2, 3]));
            explain.Parameters.Add(new NpgsqlParameter<int>("limit", 1001));
            explain.Parameters.Add(new NpgsqlParameter<int>("coarse_limit", 101));
            explain.Parameters.Add(new NpgsqlParameter<double>("stop_hours", 24));
            var plan = string.Join('\n', await ReadAllAsync(explain));
            Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
            Assert.Contains(sql == IncrementalMatcher.LookupSql ? "ix_record_keys_lookup" : "ix_matches_record_b_id", plan, StringComparison.Ordinal);
            if (sql == IncrementalMatcher.LookupSql)
            {
                Assert.Contains("pk_stop_keys", plan, StringComparison.Ordinal);
            }
        }
    }

    private static async Task<List<string>> ReadAllAsync(NpgsqlCommand command)
    {
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        return lines;
    }
}
