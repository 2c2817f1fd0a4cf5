using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Deconfliction;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// A Gateway whose matching workers only wake when it stores records (they never poll), with a low back-pressure mark:
/// a test can leave records unmatched and see the store path wait for them.
/// </summary>
public sealed class BackPressureFixture : DeconflictionFixture
{
    /// <summary>The back-pressure mark: more records than this waiting to be matched hold storing back.</summary>
    public const int Mark = 100;

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Deconfliction:MatchPollSeconds"] = "3600",
        ["Deconfliction:MaxPendingMatches"] = Mark.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Deconfliction:BacklogIntervalSeconds"] = "0.2",
    };
}

/// <summary>Matching is its own work (ADR-005): its backlog is measured, and storing waits while it is too far behind.</summary>
public sealed class MatchBacklogTests(BackPressureFixture hub) : IClassFixture<BackPressureFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Storing_MatchingFarBehind_WaitsWithNothingLostThenStoresOnceMatchingCatchesUp()
    {
        var agency = await hub.AddAgencyAsync("BP");
        var other = await hub.AddAgencyAsync("BQ");
        await agency.PublishAsync([.. Enumerable.Range(0, BackPressureFixture.Mark + 50).Select(i => Records.Person($"B-{i}", "Nadia", Surname(i), "1990-01-01"))]);
        await hub.WaitForMatchingAsync(agency, RecordKind.Person, $"B-{BackPressureFixture.Mark + 49}");

        // Matching falls behind: the records are queued again, and nothing wakes the workers (they do not poll).
        using var gauges = new BacklogGauges(hub.App.Services.GetRequiredService<IMeterFactory>());
        await Eventually.UntilAsync(() => Task.FromResult(gauges.Read() is { Pending: 0, Lag: 0 }), "the backlog measured empty", cancellationToken: Ct);
        await hub.App.WithDatabaseAsync(db => db.Database.ExecuteSqlAsync($"""
            INSERT INTO match_pending (record_id, queued_at, attempts)
            SELECT id, now() - interval '30 seconds', 0 FROM records WHERE agency_code = {agency.Code}
            """, Ct));
        await Eventually.UntilAsync(() => Task.FromResult(gauges.Read().Pending > BackPressureFixture.Mark), "the backlog measured over the mark", cancellationToken: Ct);
        var (pending, lag) = gauges.Read();
        Assert.Equal(BackPressureFixture.Mark + 1, pending);
        Assert.InRange(lag, 30, 600);

        // A record published now waits in the broker: not stored, not rejected.
        await other.PublishAsync(Records.Person("HELD", "Nadia", Surname(1), "1990-01-01"));
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        Assert.False(await StoredAsync(other, "HELD"), "a record was stored while matching was over its back-pressure mark");

        // Matching catches up (one worker step takes the whole backlog); the held record is stored and matched.
        var matched = await hub.WithServicesAsync(services => services.GetRequiredService<MatchWorkers>().RunNextAsync(Ct));
        Assert.Equal(BackPressureFixture.Mark + 50, matched);
        await hub.WaitForMatchingAsync(other, RecordKind.Person, "HELD");
        Assert.Contains(await hub.MatchesAsync(agency, other), m => m.LocalIdA == "HELD" || m.LocalIdB == "HELD");
        await Eventually.UntilAsync(() => Task.FromResult(gauges.Read() is { Pending: 0, Lag: 0 }), "the backlog measured empty", cancellationToken: Ct);
    }

    /// <summary>A distinct surname per number, in letters (a name with digits is refused).</summary>
    private static string Surname(int i) => "Vel" + (char)('a' + (i / 26 % 26)) + (char)('a' + (i % 26)) + "zquez";

    private Task<bool> StoredAsync(AgencyBus agency, string localId) =>
        hub.App.WithDatabaseAsync(db => db.Records.AnyAsync(r => r.AgencyCode == agency.Code && r.LocalId == localId, Ct));

    /// <summary>Reads <c>sharinghub.match.pending</c> and <c>sharinghub.match.lag</c> of one Gateway.</summary>
    private sealed class BacklogGauges : IDisposable
    {
        private readonly MeterListener _listener;
        private long _pending = -1;
        private double _lag = -1;

        public BacklogGauges(IMeterFactory scope)
        {
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == ServiceDefaults.Telemetry.MeterName && instrument.Meter.Scope == scope
                        && instrument.Name is "sharinghub.match.pending" or "sharinghub.match.lag")
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _pending = value);
            _listener.SetMeasurementEventCallback<double>((_, value, _, _) => _lag = value);
            _listener.Start();
        }

        public (long Pending, double Lag) Read()
        {
            _listener.RecordObservableInstruments();
            return (_pending, _lag);
        }

        public void Dispose() => _listener.Dispose();
    }
}
