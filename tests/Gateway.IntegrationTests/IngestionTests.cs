using MassTransit;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;
using SharingHub.Connectors.Cli;
using SharingHub.Contracts.V1;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>Round trips through the real connector CLI, RabbitMQ and PostgreSQL.</summary>
public sealed class IngestionTests(IngestionFixture hub) : IClassFixture<IngestionFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task PublishCli_TenThousandRecordsTwice_StoredExactlyOnce()
    {
        var agency = await hub.AddAgencyAsync("A");
        var lines = CanonicalLines.Mixed(10_000).ToList();
        var file = hub.WriteLines(lines);

        var (exit, output) = await hub.PublishAsync(agency, file);

        Assert.True(exit == ExitCodes.Success, output);
        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 10_000, Patience);

        // Redeliver every record, then a sentinel: one message at a time, so once the sentinel is stored
        // every redelivered batch has been handled.
        var again = hub.WriteLines(lines.Append(CanonicalLines.Person("SENTINEL")));
        Assert.Equal(ExitCodes.Success, (await hub.PublishAsync(agency, again)).ExitCode);
        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "SENTINEL"), r => r is not null, Patience);

        var stored = await hub.App.WithDatabaseAsync(db => db.Records.Where(r => r.AgencyCode == agency.Code)
            .GroupBy(r => new { r.Kind, r.LocalId }).Select(g => g.Count()).ToListAsync());
        Assert.Equal(10_001, stored.Count);
        Assert.All(stored, count => Assert.Equal(1, count));
        var phone = await hub.FindAsync(agency.Code, RecordKind.Phone, "T-1");
        Assert.Equal("+525510010001", phone!.PhoneE164);
        Assert.Equal(1, phone.Version);
    }

    [Fact]
    public async Task Upsert_OlderVersionAfterNewer_KeepsNewerAndWithdrawalTombstones()
    {
        var agency = await hub.AddAgencyAsync("V");
        await hub.PublishAsync(agency, hub.WriteLines([CanonicalLines.Person("P-1", version: 5, surname: "Newer")]));
        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "P-1"), r => r is not null, Patience);

        await hub.PublishAsync(agency, hub.WriteLines([CanonicalLines.Person("P-1", version: 4, surname: "Older"), CanonicalLines.Person("MARK-1")]));
        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "MARK-1"), r => r is not null, Patience);

        var kept = await hub.FindAsync(agency.Code, RecordKind.Person, "P-1");
        Assert.Equal(5, kept!.Version);
        Assert.Equal("Newer", kept.Surname);

        await hub.PublishAsync(agency, hub.WriteLines([CanonicalLines.Withdrawal("person", "P-1", 6), CanonicalLines.Person("MARK-2")]));
        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "MARK-2"), r => r is not null, Patience);
        var withdrawn = await hub.FindAsync(agency.Code, RecordKind.Person, "P-1");
        Assert.NotNull(withdrawn!.WithdrawnAt);
        Assert.Equal(6, withdrawn.Version);
        Assert.Null(withdrawn.Surname);
        Assert.Null(withdrawn.ControlOfficialName);
    }

    [Fact]
    public async Task PublishCli_FileWithBadRows_PublishesGoodRowsAndReportsEveryBadOne()
    {
        var agency = await hub.AddAgencyAsync("R");
        var file = hub.WriteLines(
        [
            CanonicalLines.Person("P-1"),
            CanonicalLines.Person("P-2", role: "suspect"),
            CanonicalLines.Person("P-3").Replace("\"surname\"", "\"surnme\"", StringComparison.Ordinal),
            CanonicalLines.Phone("T-1", "P-1", number: "12"),
            CanonicalLines.Phone("T-2", "P-1"),
            CanonicalLines.Person("P-4").Replace("1988-03", "1988-13", StringComparison.Ordinal),
            CanonicalLines.Location("L-1", 1),
        ]);

        var (exit, output) = await hub.PublishAsync(agency, file);

        Assert.Equal(ExitCodes.SomeRejected, exit);
        Assert.Contains($"reject report: {file}.rejects.csv", output, StringComparison.Ordinal);
        var report = await File.ReadAllLinesAsync(file + ".rejects.csv", TestContext.Current.CancellationToken);
        Assert.Equal("row,kind,localId,field,code,reason,action", report[0]);
        Assert.Collection(report.Skip(1),
            line => Assert.StartsWith("2,person,P-2,labels.justification,", line, StringComparison.Ordinal),
            line => Assert.StartsWith("3,,,surnme,unreadable,is not a field", line, StringComparison.Ordinal),
            line => Assert.StartsWith("4,phone,T-1,number,not_a_phone,is not a phone number", line, StringComparison.Ordinal),
            line => Assert.StartsWith("6,person,P-4,birthDate,", line, StringComparison.Ordinal));
        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 3, Patience);
        Assert.NotNull(await hub.FindAsync(agency.Code, RecordKind.Phone, "T-2"));
    }

    [Fact]
    public async Task PublishCli_MappedCsvWithOmitInvalidBirthDate_PersonStoredWithoutItAndOmissionReported()
    {
        var agency = await hub.AddAgencyAsync("O");
        var mapping = Path.Combine(hub.WorkDirectory, $"{agency.Code}.mapping.json");
        await File.WriteAllTextAsync(mapping, """
            { "dateFormats": ["yyyyMMdd"],
              "labels": { "sensitivity": "open", "controlOfficial.name": "Det. Test", "controlOfficial.channel": "+1 713 555 0101" },
              "records": [ { "kind": "person", "omitInvalid": ["birthDate"],
                             "fields": { "localId": "P-{id}", "version": "1", "role": "victim", "surname": "{surname}", "birthDate": "{dob}" } } ] }
            """, TestContext.Current.CancellationToken);
        var file = Path.Combine(hub.WorkDirectory, $"{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "id,surname,dob\n1,Lee,19551121\n2,Kim,19551192\n", TestContext.Current.CancellationToken);

        var (exit, output) = await hub.PublishAsync(agency, file, "--mapping", mapping);

        Assert.True(exit == ExitCodes.Success, output);
        Assert.Contains("omitted 1 invalid optional values", output, StringComparison.Ordinal);
        Assert.Equal(
        [
            "row,kind,localId,field,code,reason,action",
            "3,person,P-2,birthDate,not_a_date,\"is not a date (yyyy, yyyy-MM or yyyy-MM-dd)\",omitted",
        ], await File.ReadAllLinesAsync(file + ".rejects.csv", TestContext.Current.CancellationToken));
        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 2, Patience);
        var kept = await hub.FindAsync(agency.Code, RecordKind.Person, "P-1");
        Assert.Equal((short)1955, kept!.BirthYear);
        var omitted = await hub.FindAsync(agency.Code, RecordKind.Person, "P-2");
        Assert.Equal("Kim", omitted!.Surname);
        Assert.Null(omitted.BirthYear);
    }

    [Fact]
    public async Task Spoofing_AgencyBCredentialsClaimingAgencyA_NothingStoredAsA()
    {
        var a = await hub.AddAgencyAsync("A");
        var b = await hub.AddAgencyAsync("B");
        var factory = new ConnectionFactory { Uri = b.AuthenticatedBroker };
        await using var connection = await factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);

        // B claims to be A in user_id: the broker refuses the publish and closes the channel.
        var claim = new BasicProperties { UserId = a.Code, ContentType = "application/vnd.masstransit+json" };
        await channel.BasicPublishAsync(RecordPublisherExchange, "", false, claim,
            "{\"message\":{\"persons\":[]}}"u8.ToArray(), TestContext.Current.CancellationToken);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.True(channel.IsClosed);
        Assert.Equal(406, channel.CloseReason!.ReplyCode);

        // B publishes A's local ids through the connector: they are B's records, never A's.
        var (exit, output) = await hub.PublishAsync(b, hub.WriteLines([CanonicalLines.Person("P-A-1"), CanonicalLines.Person("P-A-2")]));
        Assert.True(exit == ExitCodes.Success, output);
        await hub.WaitForAsync(_ => hub.CountAsync(b.Code), n => n == 2, Patience);
        Assert.Equal(0, await hub.CountAsync(a.Code));
    }

    [Fact]
    public async Task Consumer_MessageWithoutUserIdOrFromUnregisteredAgency_RejectedToErrorQueueWithReason()
    {
        var unregistered = await hub.AddAgencyAsync("U", registerInDatabase: false);
        var (exit, output) = await hub.PublishAsync(unregistered, hub.WriteLines([CanonicalLines.Person("P-U")]));
        Assert.True(exit == ExitCodes.Success, output);
        var first = await NextErrorAsync();
        Assert.Contains($"agency {unregistered.Code} is not registered", first, StringComparison.Ordinal);

        // A publisher that sets no user_id (here the administration user): whoever sent it, the hub cannot tell.
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(hub.VirtualHost.AmqpUri));
        await bus.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await bus.Publish(new RecordBatchPublished { Persons = [] }, TestContext.Current.CancellationToken);
        }
        finally
        {
            await bus.StopAsync(TestContext.Current.CancellationToken);
        }
        var second = await NextErrorAsync();
        Assert.Contains("no AMQP user_id", second, StringComparison.Ordinal);
        Assert.Equal(0, await hub.App.WithDatabaseAsync(db => db.Records.CountAsync(r => r.LocalId == "P-U")));
    }

    private static string RecordPublisherExchange => $"{typeof(RecordBatchPublished).Namespace}:{nameof(RecordBatchPublished)}";

    private async Task<string> NextErrorAsync() =>
        (await ErrorQueue.NextAsync(hub.VirtualHost, Patience, TestContext.Current.CancellationToken)).Reason;
}
