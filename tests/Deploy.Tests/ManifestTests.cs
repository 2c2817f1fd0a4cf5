namespace SharingHub.Deploy.Tests;

/// <summary>
/// Renders every deployable kustomization of deploy/k8s with <c>kubectl kustomize</c> and checks the invariants of
/// <see cref="ManifestRules"/> on every rendered object (issue 15, item 4). Without kubectl these fail, saying so.
/// </summary>
public sealed class ManifestTests
{
    public static TheoryData<string> Deployables()
    {
        var data = new TheoryData<string>();
        foreach (var kustomization in Kustomize.Deployables())
        {
            data.Add(kustomization);
        }
        return data;
    }

    [Fact]
    public void Deployables_Found_AreTheHubsOverlaysAndTheConnector()
    {
        var found = Kustomize.Deployables();

        foreach (var expected in new[] { "base", "overlays/dev", "overlays/prod", "connector/base", "connector/example-agency" })
        {
            Assert.Contains(expected, found);
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Render_Kustomization_RendersObjects(string kustomization) =>
        Assert.NotEmpty(Kustomize.Render(kustomization));

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Render_LongRunningContainers_ProbedOnHealthLiveAndReady(string kustomization) =>
        AssertHolds(ManifestRules.Probes(Kustomize.Render(kustomization)), kustomization, "probes");

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Render_EveryContainer_RequestsAndLimitsCpuAndMemory(string kustomization) =>
        AssertHolds(ManifestRules.Resources(Kustomize.Render(kustomization)), kustomization, "resources");

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Render_EveryPod_NonRootWithoutPrivileges(string kustomization) =>
        AssertHolds(ManifestRules.NonRoot(Kustomize.Render(kustomization)), kustomization, "non-root");

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Render_EveryContainer_ReadOnlyRootFilesystem(string kustomization) =>
        AssertHolds(ManifestRules.ReadOnlyRootFilesystem(Kustomize.Render(kustomization)), kustomization, "read-only root filesystem");

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Render_EveryImage_PinnedNeverLatest(string kustomization) =>
        AssertHolds(ManifestRules.PinnedImages(Kustomize.Render(kustomization), IsRelease(kustomization)), kustomization, "pinned images");

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Render_Secrets_NeverInline(string kustomization) =>
        AssertHolds(ManifestRules.NoInlineSecrets(Kustomize.Render(kustomization)), kustomization, "no inline secrets");

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Render_AdministrationCredentials_HeldByNoWorkload(string kustomization) =>
        AssertHolds(ManifestRules.NoAdministrationCredentials(Kustomize.Render(kustomization)), kustomization, "no administration credential");

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Render_EveryWorkload_SelectedByANetworkPolicyAndIsolated(string kustomization) =>
        AssertHolds(ManifestRules.NetworkPolicies(Kustomize.Render(kustomization), namespaceDefaultDeny: IsHub(kustomization)),
            kustomization, "network policies");

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Render_ReplicatedWorkloads_HaveADisruptionBudget(string kustomization) =>
        AssertHolds(ManifestRules.DisruptionBudgets(Kustomize.Render(kustomization)), kustomization, "disruption budgets");

    [Fact]
    public void Base_Gateway_TwoOrMoreCompetingConsumers()
    {
        var gateway = Single(Kustomize.Render("base"), "Deployment", "sharinghub-gateway");

        Assert.True(int.Parse(gateway.Root.Scalar("spec", "replicas") ?? "1", System.Globalization.CultureInfo.InvariantCulture) >= 2,
            "the base runs at least two Gateway replicas");
    }

    [Fact]
    public void Prod_Gateway_ScaledByKedaOnTheRecordsQueueFromTwoReplicas()
    {
        var objects = Kustomize.Render("overlays/prod");
        var gateway = Single(objects, "Deployment", "sharinghub-gateway");
        var scaler = Assert.Single(objects, o => o.Kind == "ScaledObject" && o.Root.Scalar("spec", "scaleTargetRef", "name") == gateway.Name);

        // The HPA owns the count: a replicas field would be set back on every apply.
        Assert.Null(gateway.Root.Node("spec", "replicas"));
        Assert.True(int.Parse(scaler.Root.Scalar("spec", "minReplicaCount") ?? "0", System.Globalization.CultureInfo.InvariantCulture) >= 2,
            "KEDA keeps at least two Gateway replicas");
        var trigger = Assert.Single(scaler.Root.Items("spec", "triggers"));
        Assert.Equal("rabbitmq", trigger.Scalar("type"));
        Assert.Equal("sharinghub-records", trigger.Scalar("metadata", "queueName"));
        Assert.Equal("QueueLength", trigger.Scalar("metadata", "mode"));
    }

    [Theory]
    [InlineData("base", 3, true)]
    [InlineData("overlays/prod", 3, true)]
    [InlineData("overlays/dev", 1, false)]
    public void Render_StatefulParts_OperatorClustersOfTheOverlaysSize(string kustomization, int members, bool tls)
    {
        var objects = Kustomize.Render(kustomization);

        var rabbit = Single(objects, "RabbitmqCluster", "sharinghub-rabbitmq");
        Assert.Equal(members.ToString(System.Globalization.CultureInfo.InvariantCulture), rabbit.Root.Scalar("spec", "replicas"));
        Assert.Equal(tls, rabbit.Root.Scalar("spec", "tls", "secretName") is not null);
        Assert.Equal(tls, rabbit.Root.IsTrue("spec", "tls", "disableNonTLSListeners"));
        Assert.Contains("default_queue_type = quorum", rabbit.Root.Scalar("spec", "rabbitmq", "additionalConfig") ?? "", StringComparison.Ordinal);

        var postgres = Single(objects, "Cluster", "sharinghub-pg");
        Assert.Equal(members.ToString(System.Globalization.CultureInfo.InvariantCulture), postgres.Root.Scalar("spec", "instances"));
        Assert.Single(objects, o => o.Kind == "Pooler" && o.Root.Scalar("spec", "cluster", "name") == postgres.Name);
        var hub = Assert.Single(objects, o => o.Kind == "Database" && o.Root.Scalar("spec", "name") == "sharinghub");
        Assert.Contains(hub.Root.Items("spec", "extensions"), e => e.Scalar("name") == "postgis");
        // Backups wherever there is an object store (not in development).
        Assert.Equal(tls, objects.Any(o => o.Kind == "ScheduledBackup" && o.Root.Scalar("spec", "cluster", "name") == postgres.Name));

        // The hub's static topology: the records and error queues are quorum queues.
        foreach (var queue in new[] { "sharinghub-records", "sharinghub-records_error", "sharinghub-alerts-dead" })
        {
            var declared = Assert.Single(objects, o => o.Kind == "Queue" && o.Root.Scalar("spec", "name") == queue);
            Assert.Equal("quorum", declared.Root.Scalar("spec", "type"));
        }
    }

    private static KubeObject Single(IReadOnlyList<KubeObject> objects, string kind, string name) =>
        Assert.Single(objects, o => o.Kind == kind && o.Name == name);

    /// <summary>The hub's own namespace (base and overlays), as opposed to the connector an agency runs.</summary>
    private static bool IsHub(string kustomization) => !kustomization.StartsWith("connector/", StringComparison.Ordinal);

    /// <summary>Everything but the bases and the development overlay runs released images only.</summary>
    private static bool IsRelease(string kustomization) => kustomization is not ("base" or "overlays/dev" or "connector/base");

    private static void AssertHolds(IEnumerable<string> violations, string kustomization, string rule)
    {
        var found = violations.ToList();
        Assert.True(found.Count == 0, $"deploy/k8s/{kustomization} breaks the {rule} rule:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", found)}");
    }
}
