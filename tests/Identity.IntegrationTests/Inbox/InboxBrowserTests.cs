using System.Reflection;
using System.Text.Json;
using Microsoft.Playwright;
using SharingHub.Identity.Accounts;
using SharingHub.Identity.IntegrationTests.GraphQL;
using SharingHub.ServiceDefaults.Authentication;
using static Microsoft.Playwright.Assertions;

namespace SharingHub.Identity.IntegrationTests.Inbox;

/// <summary>
/// The officer's page in a real browser: Debian's headless Chromium (<c>/usr/bin/chromium</c>, which <c>./hub infra</c>
/// installs) driven by Playwright, against a real Identity and Gateway. Screenshots go under the test output
/// (<c>inbox-screenshots/</c>), and axe-core (npm, tests/browser-checks) checks the page.
/// </summary>
public sealed class InboxBrowserTests(InboxFixture fixture) : IClassFixture<InboxFixture>
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly float Deadline = (float)TimeSpan.FromSeconds(60).TotalMilliseconds;

    private static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "inbox-screenshots");

    [Fact]
    public async Task Inbox_OfficerSignsIn_SeesAnAlertArriveLiveOpensItsEvidenceAcknowledgesItAndSubmitsAConflictingOperation()
    {
        await using var browser = await BrowserPage.OpenAsync();
        var (page, problems) = (browser.Page, browser.Problems);

        // 1. Sign in through Identity: the page sends the officer to Identity's login, which sends them back with a code.
        var officer = await fixture.App.LocalAccountAsync(fixture.CityPolice, HubRoles.Officer);
        await page.GotoAsync(fixture.InboxUri.AbsoluteUri);
        await Shot(page, "01-signed-out");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByLabel("User name")).ToBeVisibleAsync(new() { Timeout = Deadline });
        await page.GetByLabel("User name").FillAsync(officer.UserName);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(officer.Password);
        await page.GetByLabel("One-time code (authenticator app)").FillAsync(TotpCode.Compute(officer.TotpKey, DateTimeOffset.UtcNow));
        await Shot(page, "02-identity-login");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByText("Signed in as")).ToBeVisibleAsync(new() { Timeout = Deadline });
        Assert.StartsWith(fixture.InboxUri.AbsoluteUri, page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("code=", page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("#live[data-live=true]")).ToBeVisibleAsync(new() { Timeout = Deadline });
        // Tokens stay in this tab: nothing in localStorage.
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));
        Assert.True(await page.EvaluateAsync<bool>("() => Object.keys(sessionStorage).some(k => k.startsWith('oidc.user:'))"));
        await Shot(page, "03-signed-in");

        // 2. The sheriff publishes the same suspect: the alert arrives without a reload (alertRaised).
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        await fixture.PublishAsync(fixture.CountySheriff, InboxFixture.Suspect("S-LIVE", "Sgt. Lee"));
        var alert = page.Locator("#alerts li.alert", new() { HasText = "C-LIVE" });
        await Expect(alert).ToBeVisibleAsync(new() { Timeout = Deadline });
        await Expect(alert.Locator(".status")).ToHaveTextAsync("Not yet acknowledged");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded");
        await Shot(page, "04-alert-arrived");

        // 3. Its evidence, in words, then acknowledged.
        await alert.GetByRole(AriaRole.Button, new() { Name = "Show evidence" }).ClickAsync();
        var evidence = alert.Locator(".evidence");
        await Expect(evidence).ToBeVisibleAsync();
        await Expect(evidence.Locator(".explanation li").First).ToBeVisibleAsync();
        await Expect(evidence).ToContainTextAsync("Test County Sheriff");
        await Expect(evidence).ToContainTextAsync("Sgt. Lee");
        await Expect(evidence).ToContainTextAsync("Date of birth: exact agreement");
        await Expect(evidence.GetByRole(AriaRole.Button, new() { Name = "Same person", Exact = true })).ToBeVisibleAsync();
        await Shot(page, "05-evidence");
        await alert.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
        await Expect(alert.Locator(".status")).ToContainTextAsync("Acknowledged", new() { Timeout = Deadline });
        await Expect(alert.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" })).ToHaveCountAsync(0);
        await Expect(page.Locator("#alerts-count")).ToHaveTextAsync("(0 unacknowledged)");
        await Shot(page, "06-acknowledged");

        // 4. A planned operation that overlaps the sheriff's (released in full): the answer at once, drawn to scale.
        var sheriff = await fixture.TokenAsync(fixture.CountySheriff, HubRoles.Officer);
        await SubmitAsSheriffAsync(sheriff);
        await page.GetByLabel("Operation id in your system").FillAsync("PD-OP-9");
        await page.GetByLabel("Latitude of the centre").FillAsync("29.7604");
        await page.GetByLabel("Longitude of the centre").FillAsync("-95.3698");
        await page.GetByLabel("Radius in metres").FillAsync("300");
        await page.GetByLabel("Starts").FillAsync("2027-03-01T10:00");
        await page.GetByLabel("Ends").FillAsync("2027-03-01T12:00");
        await page.GetByLabel("Officer in charge", new() { Exact = true }).FillAsync("Det. Ana Ruiz");
        await page.GetByLabel("Officer in charge's phone or email").FillAsync("+17135550101");
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit the operation" }).ClickAsync();
        var answer = page.Locator("#operation-result");
        await Expect(answer.Locator(".conflict-headline")).ToBeVisibleAsync(new() { Timeout = Deadline });
        var picture = answer.Locator("figure.conflict-picture");
        await Expect(picture.Locator("svg.area circle.area-yours")).ToHaveCountAsync(1);
        await Expect(picture.Locator("svg.area circle.area-theirs")).ToHaveCountAsync(1);
        await Expect(picture.Locator("svg.area .scale-bar text")).ToBeVisibleAsync();
        await Expect(picture.Locator("svg.timeline rect.overlap")).ToHaveCountAsync(1);
        await Expect(picture).ToContainTextAsync("overlap for 1 h");
        await picture.ScrollIntoViewIfNeededAsync();
        await Shot(page, "07-operation-conflict");

        // 5. axe-core on the page as it now stands (signed in, evidence open, the conflict drawn).
        var violations = await AxeViolationsAsync(page);
        Assert.True(violations.Count == 0, "axe-core found serious or critical violations:\n" + string.Join('\n', violations));
        Assert.True(problems.Count == 0, "the page logged errors:\n" + string.Join('\n', problems));
    }

    [Fact]
    public async Task Inbox_SupervisorWithMoreAlertsThanAPage_SeesHowManyLoadsTheRestAndTheProtectiveAlertNamesOnlyTheAdvocate()
    {
        await using var browser = await BrowserPage.OpenAsync();
        var (page, problems) = (browser.Page, browser.Problems);
        const int Total = InboxFixture.SharedPhones + 1;

        var supervisor = await fixture.App.LocalAccountAsync(fixture.HarborPolice, HubRoles.Supervisor);
        await page.GotoAsync(fixture.InboxUri.AbsoluteUri);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByLabel("User name")).ToBeVisibleAsync(new() { Timeout = Deadline });
        await page.GetByLabel("User name").FillAsync(supervisor.UserName);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(supervisor.Password);
        await page.GetByLabel("One-time code (authenticator app)").FillAsync(TotpCode.Compute(supervisor.TotpKey, DateTimeOffset.UtcNow));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByText("Signed in as")).ToBeVisibleAsync(new() { Timeout = Deadline });

        // The first page: 100 alerts, and the page says there are more.
        var alerts = page.Locator("#alerts li.alert");
        await Expect(alerts).ToHaveCountAsync(100, new() { Timeout = Deadline });
        await Expect(page.Locator("#alerts-count")).ToHaveTextAsync($"(100 unacknowledged; showing 100 of {Total})");
        await Expect(page.Locator("#alerts-shown")).ToHaveTextAsync($"Showing the newest 100 of {Total} alerts.");
        var more = page.GetByRole(AriaRole.Button, new() { Name = $"Load {Total - 100} more alerts" });
        await more.ScrollIntoViewIfNeededAsync();
        await Shot(page, "11-first-page-of-alerts");

        // The rest, after the page's cursor: every alert once, and no more button.
        await more.ClickAsync();
        await Expect(alerts).ToHaveCountAsync(Total, new() { Timeout = Deadline });
        await Expect(page.Locator("#alerts-count")).ToHaveTextAsync($"({Total} unacknowledged)");
        await Expect(page.Locator("#load-more-alerts")).ToHaveCountAsync(0);
        var ids = await alerts.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.alertId)");
        Assert.Equal(Total, ids.Distinct(StringComparer.Ordinal).Count());

        // The protective alert about the shelter's RESTRICTED client: the advocate to call, nothing of the victim.
        var protective = page.Locator("#alerts li.alert", new() { HasText = "victim-service organization" });
        await Expect(protective).ToHaveCountAsync(1);
        await Expect(protective.Locator(".meta")).ToContainTextAsync("contact: Advocate Rosa Vega, +17135550188");
        await protective.GetByRole(AriaRole.Button, new() { Name = "Show evidence" }).ClickAsync();
        await Expect(protective.Locator(".evidence")).ToContainTextAsync("The match itself is not released to you");
        var text = await protective.InnerTextAsync();
        Assert.DoesNotContain("Ramírez", text, StringComparison.Ordinal);
        Assert.DoesNotContain("S-CLIENT", text, StringComparison.Ordinal);
        Assert.DoesNotContain("CASE-26-0077", text, StringComparison.Ordinal);
        await protective.ScrollIntoViewIfNeededAsync();
        await Shot(page, "12-all-alerts-protective-contact");

        var violations = await AxeViolationsAsync(page);
        Assert.True(violations.Count == 0, "axe-core found serious or critical violations:\n" + string.Join('\n', violations));
        Assert.True(problems.Count == 0, "the page logged errors:\n" + string.Join('\n', problems));
    }

    private async Task SubmitAsSheriffAsync(string token)
    {
        using var client = new GraphQLClient(fixture.GraphQLUri);
        var response = await client.PostAsync("""
            mutation($input: SubmitOperationInput!) { submitOperation(input: $input) { accepted } }
            """, new
        {
            input = new
            {
                localId = "SO-OP-9",
                location = new { lat = 29.7610, lon = -95.3689 },
                radiusMeters = 400,
                startsAt = "2027-03-01T11:00:00Z",
                endsAt = "2027-03-01T14:00:00Z",
                contact = new { name = "Sgt. Lee", channel = "+17135550123" },
                sensitivity = "OPEN",
            },
        }, token, TestContext.Current.CancellationToken);
        Assert.True(response.Data.GetProperty("submitOperation").GetProperty("accepted").GetBoolean());
    }

    /// <summary>axe-core's serious and critical violations, one line each (rule, impact, help, where).</summary>
    internal static async Task<List<string>> AxeViolationsAsync(IPage page)
    {
        var axe = Path.Combine(BrowserChecksDirectory, "node_modules", "axe-core", "axe.min.js");
        Assert.True(File.Exists(axe), $"{axe} is missing: run npm ci in {BrowserChecksDirectory} (./hub test does).");
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = axe });
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)
            """);
        return violations.EnumerateArray().Select(v => v.GetString()!).ToList();
    }

    private static string BrowserChecksDirectory => Path.GetFullPath(typeof(InboxBrowserTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BrowserChecksDirectory").Value!);

    private static async Task Shot(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.Current.TestOutputHelper?.WriteLine($"screenshot: {path}");
    }

    /// <summary>Headless Debian Chromium with one page, and the script errors that page logs.</summary>
    private sealed class BrowserPage : IAsyncDisposable
    {
        private IPlaywright _playwright = null!;
        private IBrowser _browser = null!;
        private IBrowserContext _context = null!;

        public IPage Page { get; private set; } = null!;

        /// <summary>Script errors on the page (uncaught exceptions); failed resource loads are the browser's, not the page's.</summary>
        public List<string> Problems { get; } = [];

        public static async Task<BrowserPage> OpenAsync()
        {
            var opened = new BrowserPage { _playwright = await Playwright.CreateAsync() };
            opened._browser = await opened._playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                // As root, Chromium's sandbox cannot start; the rest keeps it off the network this machine does not have.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
            });
            // BypassCSP only lets the test inject axe-core; the page's own policy allows no inline script.
            opened._context = await opened._browser.NewContextAsync(new BrowserNewContextOptions
            {
                ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
                Locale = "en-GB",
                TimezoneId = "UTC",
                BypassCSP = true,
            });
            opened.Page = await opened._context.NewPageAsync();
            opened.Page.PageError += (_, error) => opened.Problems.Add(error);
            return opened;
        }

        public async ValueTask DisposeAsync()
        {
            await _context.DisposeAsync();
            await _browser.DisposeAsync();
            _playwright.Dispose();
        }
    }
}
