namespace SharingHub.Deploy.Tests;

/// <summary>
/// Each rule of <see cref="ManifestRules"/> on a workload that keeps every invariant, and on the same workload with one
/// invariant broken: the rules can fail, and fail naming what broke.
/// </summary>
public sealed class ManifestRulesTests
{
    private const string Good = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              securityContext:
                runAsNonRoot: true
              containers:
                - name: web
                  image: example/web:1.2.3
                  ports:
                    - name: http
                      containerPort: 8080
                  env:
                    - name: ConnectionStrings__db
                      valueFrom:
                        secretKeyRef:
                          name: db
                          key: connection
                  livenessProbe:
                    httpGet:
                      path: /health/live
                      port: http
                  readinessProbe:
                    httpGet:
                      path: /health/ready
                      port: http
                  resources:
                    requests:
                      cpu: 100m
                      memory: 128Mi
                    limits:
                      cpu: "1"
                      memory: 256Mi
                  securityContext:
                    allowPrivilegeEscalation: false
                    readOnlyRootFilesystem: true
                    capabilities:
                      drop: ["ALL"]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: default-deny
        spec:
          podSelector: {}
          policyTypes: [Ingress, Egress]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: web
        spec:
          podSelector:
            matchLabels:
              app: web
          policyTypes: [Ingress, Egress]
          ingress:
            - ports:
                - port: 8080
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
        spec:
          maxUnavailable: 1
          selector:
            matchLabels:
              app: web
        """;

    [Fact]
    public void EveryRule_WorkloadKeepingEveryInvariant_NoViolation()
    {
        var objects = KubeObject.Parse(Good);

        Assert.Empty(AllRules(objects));
    }

    [Theory]
    [InlineData("path: /health/ready", "path: /health/live", "readinessProbe probes /health/live, not /health/ready")]
    [InlineData("      port: http\n          resources:", "      port: 9090\n          resources:", "readinessProbe probes port 9090, which the container does not declare")]
    [InlineData("readinessProbe:", "startupProbe:", "no readinessProbe")]
    public void Probes_BrokenProbe_Reported(string from, string to, string expected) =>
        AssertReported(ManifestRules.Probes, from, to, expected);

    [Fact]
    public void Probes_PortlessWorkerNotKnownToBeSafe_Reported()
    {
        // The container without its ports, env and probes: a worker nobody vouched for.
        var start = Good.IndexOf("          ports:", StringComparison.Ordinal);
        var end = Good.IndexOf("          resources:", StringComparison.Ordinal);
        var worker = KubeObject.Parse(Good.Remove(start, end - start));

        Assert.Contains(ManifestRules.Probes(worker), v => v.Contains("serves no port and has no liveness probe", StringComparison.Ordinal));
        // The connector is the one known portless worker (it exits on a lasting failure, and is restarted).
        Assert.Empty(ManifestRules.Probes(KubeObject.Parse(Good.Remove(start, end - start).Replace("name: web\nspec:\n  replicas", "name: sharinghub-connector\nspec:\n  replicas", StringComparison.Ordinal))));
    }

    [Fact]
    public void Resources_NoMemoryLimit_Reported() =>
        AssertReported(ManifestRules.Resources, "\n              memory: 256Mi", "", "no limits.memory");

    [Theory]
    [InlineData("runAsNonRoot: true", "runAsNonRoot: false", "runAsNonRoot is not true")]
    [InlineData("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", "allowPrivilegeEscalation is not false")]
    [InlineData("drop: [\"ALL\"]", "drop: [\"NET_RAW\"]", "capabilities do not drop ALL")]
    [InlineData("runAsNonRoot: true", "runAsNonRoot: true\n        runAsUser: 0", "the pod runs as user 0")]
    public void NonRoot_BrokenSecurityContext_Reported(string from, string to, string expected) =>
        AssertReported(ManifestRules.NonRoot, from, to, expected);

    [Fact]
    public void ReadOnlyRootFilesystem_Writable_Reported() =>
        AssertReported(ManifestRules.ReadOnlyRootFilesystem, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "readOnlyRootFilesystem is not true");

    [Theory]
    [InlineData("example/web:latest", "is tagged latest")]
    [InlineData("example/web", "has no tag")]
    [InlineData("registry.example:5000/web", "has no tag")]
    public void PinnedImages_LatestOrUntagged_Reported(string image, string expected) =>
        AssertReported(objects => ManifestRules.PinnedImages(objects, release: false), "example/web:1.2.3", image, expected);

    [Fact]
    public void PinnedImages_DevTagInARelease_ReportedOnlyThere()
    {
        var objects = KubeObject.Parse(Good.Replace("example/web:1.2.3", "example/web:dev", StringComparison.Ordinal));

        Assert.Empty(ManifestRules.PinnedImages(objects, release: false));
        Assert.Contains(ManifestRules.PinnedImages(objects, release: true), v => v.Contains("local dev build", StringComparison.Ordinal));
    }

    [Fact]
    public void PinnedImages_Digest_Accepted() =>
        Assert.Empty(ManifestRules.PinnedImages(KubeObject.Parse(Good.Replace("example/web:1.2.3",
            "example/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", StringComparison.Ordinal)), release: true));

    [Fact]
    public void NoInlineSecrets_SecretWithStringData_Reported() =>
        AssertReported(ManifestRules.NoInlineSecrets, "kind: PodDisruptionBudget",
            "kind: Secret\nstringData:\n  password: hunter2\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget", "with its data inline");

    [Fact]
    public void NoInlineSecrets_ConnectionStringAsLiteral_Reported() =>
        AssertReported(ManifestRules.NoInlineSecrets, "valueFrom:\n                secretKeyRef:\n                  name: db\n                  key: connection",
            "value: Host=db;Password=hunter2", "ConnectionStrings__db has an inline value");

    [Theory]
    [InlineData("                  name: db\n                  key: connection", "                  name: sharinghub-broker-admin\n                  key: password")]
    [InlineData("          livenessProbe:", "          envFrom:\n            - secretRef:\n                name: sharinghub-pg-superuser\n          livenessProbe:")]
    public void NoAdministrationCredentials_WorkloadReferencingOne_Reported(string from, string to) =>
        AssertReported(ManifestRules.NoAdministrationCredentials, from, to, "holds the administration credential");

    [Fact]
    public void NetworkPolicies_WorkloadSelectedOnlyByTheDefaultDeny_Reported() =>
        AssertReported(objects => ManifestRules.NetworkPolicies(objects, namespaceDefaultDeny: true), "      app: web\n  policyTypes",
            "      app: other\n  policyTypes", "Deployment/web: no NetworkPolicy selects its pods");

    [Fact]
    public void NetworkPolicies_NoDefaultDeny_Reported() =>
        AssertReported(objects => ManifestRules.NetworkPolicies(objects, namespaceDefaultDeny: true), "name: default-deny\nspec:\n  podSelector: {}",
            "name: default-deny\nspec:\n  podSelector:\n    matchLabels:\n      app: web", "no default-deny NetworkPolicy");

    [Fact]
    public void NetworkPolicies_OwnPolicyIngressOnlyWithoutDefaultDeny_EgressReported()
    {
        var objects = KubeObject.Parse(Good
            .Replace("podSelector: {}\n  policyTypes: [Ingress, Egress]", "podSelector:\n    matchLabels:\n      app: nothing\n  policyTypes: [Ingress, Egress]", StringComparison.Ordinal)
            .Replace("      app: web\n  policyTypes: [Ingress, Egress]", "      app: web\n  policyTypes: [Ingress]", StringComparison.Ordinal));

        Assert.Contains(ManifestRules.NetworkPolicies(objects, namespaceDefaultDeny: false), v => v.Contains("not isolated for Egress", StringComparison.Ordinal));
    }

    [Fact]
    public void DisruptionBudgets_ReplicatedWithoutBudget_Reported() =>
        AssertReported(ManifestRules.DisruptionBudgets, "maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: web", "maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: other",
            "runs several pods but no PodDisruptionBudget selects them");

    [Theory]
    [InlineData("In", "web", true)]
    [InlineData("In", "other", false)]
    [InlineData("NotIn", "web", false)]
    [InlineData("Exists", "", true)]
    [InlineData("DoesNotExist", "", false)]
    public void Selects_MatchExpressions_FollowKubernetes(string op, string value, bool selects)
    {
        var policy = KubeObject.Parse($$"""
            kind: NetworkPolicy
            spec:
              podSelector:
                matchExpressions:
                  - key: app
                    operator: {{op}}
                    values: [{{value}}]
            """)[0];

        Assert.Equal(selects, ManifestRules.Selects(policy.Root.Map("spec", "podSelector"),
            new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = "web" }));
    }

    private static IEnumerable<string> AllRules(IReadOnlyList<KubeObject> objects) =>
        ManifestRules.Probes(objects)
            .Concat(ManifestRules.Resources(objects))
            .Concat(ManifestRules.NonRoot(objects))
            .Concat(ManifestRules.ReadOnlyRootFilesystem(objects))
            .Concat(ManifestRules.PinnedImages(objects, release: true))
            .Concat(ManifestRules.NoInlineSecrets(objects))
            .Concat(ManifestRules.NoAdministrationCredentials(objects))
            .Concat(ManifestRules.NetworkPolicies(objects, namespaceDefaultDeny: true))
            .Concat(ManifestRules.DisruptionBudgets(objects));

    private static void AssertReported(Func<IReadOnlyList<KubeObject>, IEnumerable<string>> rule, string from, string to, string expected)
    {
        Assert.Contains(from, Good, StringComparison.Ordinal);
        var broken = KubeObject.Parse(Good.Replace(from, to, StringComparison.Ordinal));

        var violations = rule(broken).ToList();

        Assert.Contains(violations, v => v.Contains(expected, StringComparison.Ordinal));
    }
}
