using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Authentication;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// What a WebSocket does over time: no <c>connection_init</c> in time (4408), the server's pings, and a token that
/// expires while the socket is open (4403 at its expiry, with no message from the client). Identity issues
/// one-minute access tokens here (<c>Tokens:AccessTokenMinutes</c>, its least), and the Gateway waits one second for
/// <c>connection_init</c> and pings every second.
/// </summary>
public sealed class GraphQLWebSocketTimingTests(GraphQLWebSocketTimingTests.ShortLivedFixture fixture)
    : IClassFixture<GraphQLWebSocketTimingTests.ShortLivedFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConnectionInit_NotSentInTime_Closed4408()
    {
        await using var socket = await GraphQLSocket.ConnectAsync(fixture.GraphQLUri, cancellationToken: Ct);

        var closed = await socket.ReceiveAsync(Ct);

        Assert.Equal(4408, closed.CloseCode);
    }

    [Fact]
    public async Task AfterTheAck_TheServerPings_AndTakesThePong()
    {
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, await fixture.TokenAsync(), Ct);

        Assert.Equal("ping", (await socket.ReceiveAsync(Ct)).Type);
        await socket.SendAsync(new { type = "pong" }, Ct);

        Assert.Equal("ping", (await socket.ReceiveAsync(Ct)).Type);
    }

    [Fact]
    public async Task Token_ExpiresWhileTheSocketIsOpen_Closed4403AtItsExpiry()
    {
        // A fresh token, so that the socket outlives it by the whole wait.
        var token = await fixture.TokenAsync();
        var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(Jwt.Read(token).Value("exp")!, System.Globalization.CultureInfo.InvariantCulture));
        await using var socket = await GraphQLSocket.InitializedAsync(fixture.GraphQLUri, token, Ct);

        // The client sends nothing more: the server ends the socket on its own.
        var closed = await socket.ClosedAsync(Ct);

        Assert.Equal(4403, closed.CloseCode);
        Assert.Equal("Forbidden: token expired", closed.CloseReason);
        Assert.True(DateTimeOffset.UtcNow >= expires, $"closed before the token's expiry {expires:O}");
    }

    /// <summary>An Identity with one-minute access tokens and a Gateway on a real port with short socket timings.</summary>
    public sealed class ShortLivedFixture : IdentityFixture
    {
        private TestDatabase? _hubDatabase;
        private TestVirtualHost? _virtualHost;

        /// <summary>A law-enforcement agency.</summary>
        public string Agency { get; } = $"TX{Random.Shared.Next(1_000_000, 10_000_000)}";

        /// <summary>The Gateway under test.</summary>
        public GatewayApp Gateway { get; private set; } = null!;

        /// <summary><c>http://127.0.0.1:PORT/graphql</c>.</summary>
        public Uri GraphQLUri { get; private set; } = null!;

        /// <inheritdoc />
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Seeding:Agencies:0:Code"] = Agency,
            ["Seeding:Agencies:0:Name"] = "Test Short Lived Police",
            ["Seeding:Agencies:0:Kind"] = "lawEnforcement",
            ["Tokens:AccessTokenMinutes"] = "1",
        };

        /// <inheritdoc />
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            _hubDatabase = await TestDatabase.CreateAsync(TestInfrastructure.Current);
            _virtualHost = await TestVirtualHost.CreateAsync(TestInfrastructure.Current);
            Gateway = new GatewayApp(_hubDatabase.ConnectionString, _virtualHost.GatewayAmqpUri.ToString(), new Dictionary<string, string?>
            {
                ["Authentication:Authority"] = App.BaseUri.AbsoluteUri,
                ["GraphQL:ConnectionInitTimeoutSeconds"] = "1",
                ["GraphQL:KeepAliveSeconds"] = "1",
            })
            {
                Environment = "Development",
            };
            GraphQLUri = new Uri(Gateway.StartOnRealPort(), "graphql");
            await Gateway.MigrateAsync();
        }

        /// <summary>A new one-minute access token of an officer of <see cref="Agency"/> (code + PKCE).</summary>
        public async Task<string> TokenAsync()
        {
            var account = await App.LocalAccountAsync(Agency, HubRoles.Officer);
            using var browser = App.CreateBrowser();
            var tokens = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid api",
                account.UserName, account.Password, account.TotpKey, CancellationToken.None);
            return tokens.AccessToken;
        }

        /// <inheritdoc />
        public override async ValueTask DisposeAsync()
        {
            if (Gateway is not null)
            {
                await Gateway.DisposeAsync();
            }
            if (_virtualHost is not null)
            {
                await _virtualHost.DisposeAsync();
            }
            if (_hubDatabase is not null)
            {
                await _hubDatabase.DisposeAsync();
            }
            await base.DisposeAsync();
        }
    }
}
