using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace SharingHub.Deploy.Tests;

/// <summary>
/// The invariants every rendered deployment keeps (issue 15, item 4). Each rule returns its violations, one line each,
/// naming the object and container, so a failing test says what to fix; an empty list means the rule holds.
/// </summary>
internal static partial class ManifestRules
{
    /// <summary>The paths the hosts serve (ServiceDefaults' MapDefaultEndpoints).</summary>
    public const string LivePath = "/health/live";

    public const string ReadyPath = "/health/ready";

    /// <summary>
    /// Long-running workloads that serve no port and so have nothing to probe, each with why that is safe. Only the
    /// agency's connector: a source or sink that fails for good ends its process (WorkerCommand), which the kubelet
    /// restarts. Anything else without a port and without probes is a violation.
    /// </summary>
    public static readonly IReadOnlySet<string> PortlessWorkers = new HashSet<string>(["sharinghub-connector"], StringComparer.Ordinal);

    private static readonly string[] ResourceKinds = ["requests", "limits"];
    private static readonly string[] ResourceNames = ["cpu", "memory"];
    private static readonly string[] BothDirections = ["Ingress", "Egress"];

    /// <summary>Long-running containers that serve a port are probed on /health/live (liveness) and /health/ready (readiness).</summary>
    public static IEnumerable<string> Probes(IEnumerable<KubeObject> objects)
    {
        foreach (var workload in objects.Where(o => o.IsLongRunning))
        {
            foreach (var container in workload.PodTemplate.Items("spec", "containers"))
            {
                var where = $"{workload.Id} container {container.Scalar("name")}";
                var ports = container.Items("ports").ToList();
                if (ports.Count == 0)
                {
                    if (container.Node("livenessProbe") is null && !PortlessWorkers.Contains(workload.Name))
                    {
                        yield return $"{where}: serves no port and has no liveness probe";
                    }
                    continue;
                }
                var declared = ports.SelectMany(p => new[] { p.Scalar("name"), p.Scalar("containerPort") }).OfType<string>().ToHashSet(StringComparer.Ordinal);
                foreach (var (probe, path) in new[] { ("livenessProbe", LivePath), ("readinessProbe", ReadyPath) })
                {
                    var get = container.Map(probe, "httpGet");
                    if (get is null)
                    {
                        yield return $"{where}: no {probe} with httpGet {path}";
                        continue;
                    }
                    if (get.Scalar("path") != path)
                    {
                        yield return $"{where}: {probe} probes {get.Scalar("path")}, not {path}";
                    }
                    if (get.Scalar("port") is not { } port || !declared.Contains(port))
                    {
                        yield return $"{where}: {probe} probes port {get.Scalar("port")}, which the container does not declare";
                    }
                }
            }
        }
    }

    /// <summary>Every container, init containers and the operators' pods included, requests and limits both CPU and memory.</summary>
    public static IEnumerable<string> Resources(IEnumerable<KubeObject> objects)
    {
        foreach (var o in objects)
        {
            foreach (var container in Containers(o))
            {
                foreach (var missing in MissingResources(container.Map("resources")))
                {
                    yield return $"{o.Id} container {container.Scalar("name")}: no {missing}";
                }
            }
            // The operators build the pods of these from spec.resources.
            if (o.Kind is "RabbitmqCluster" or "Cluster")
            {
                foreach (var missing in MissingResources(o.Root.Map("spec", "resources")))
                {
                    yield return $"{o.Id}: no spec.resources {missing}";
                }
            }
        }

        static IEnumerable<string> MissingResources(YamlMappingNode? resources) =>
            from kind in ResourceKinds
            from resource in ResourceNames
            where string.IsNullOrEmpty(resources.Scalar(kind, resource))
            select $"{kind}.{resource}";
    }

    /// <summary>Pods run as a non-root user, and no container may escalate privileges or keep a Linux capability.</summary>
    public static IEnumerable<string> NonRoot(IEnumerable<KubeObject> objects)
    {
        foreach (var o in objects.Where(o => o.IsWorkload))
        {
            var pod = o.PodTemplate.Map("spec", "securityContext");
            if (pod.Scalar("runAsUser") == "0")
            {
                yield return $"{o.Id}: the pod runs as user 0";
            }
            foreach (var container in Containers(o))
            {
                var where = $"{o.Id} container {container.Scalar("name")}";
                var own = container.Map("securityContext");
                if (!(own.IsTrue("runAsNonRoot") || (pod.IsTrue("runAsNonRoot") && own.Scalar("runAsNonRoot") is null)))
                {
                    yield return $"{where}: runAsNonRoot is not true";
                }
                if (own.Scalar("runAsUser") == "0")
                {
                    yield return $"{where}: runs as user 0";
                }
                if (own.Scalar("allowPrivilegeEscalation") != "false")
                {
                    yield return $"{where}: allowPrivilegeEscalation is not false";
                }
                if (!own.Items("capabilities", "drop").Any(c => (c as YamlScalarNode)?.Value == "ALL"))
                {
                    yield return $"{where}: capabilities do not drop ALL";
                }
                if (own.Items("capabilities", "add").Any())
                {
                    yield return $"{where}: adds capabilities";
                }
            }
        }
    }

    /// <summary>Every container's root filesystem is read-only (writable places are volumes).</summary>
    public static IEnumerable<string> ReadOnlyRootFilesystem(IEnumerable<KubeObject> objects) =>
        from o in objects
        where o.IsWorkload
        from container in Containers(o)
        where !container.IsTrue("securityContext", "readOnlyRootFilesystem")
        select $"{o.Id} container {container.Scalar("name")}: readOnlyRootFilesystem is not true";

    /// <summary>
    /// Every image, the operators' included, names a tag or a digest, never <c>latest</c>; a release
    /// (<paramref name="release"/>) never runs the locally built <c>dev</c> tag either.
    /// </summary>
    public static IEnumerable<string> PinnedImages(IEnumerable<KubeObject> objects, bool release)
    {
        foreach (var o in objects)
        {
            var images = Containers(o).Select(c => ($"container {c.Scalar("name")}", c.Scalar("image"))).ToList();
            if (o.Kind == "RabbitmqCluster")
            {
                images.Add(("spec.image", o.Root.Scalar("spec", "image")));
            }
            if (o.Kind == "Cluster")
            {
                images.Add(("spec.imageName", o.Root.Scalar("spec", "imageName")));
            }
            foreach (var (where, image) in images)
            {
                if (ImageProblem(image, release) is { } problem)
                {
                    yield return $"{o.Id} {where}: {problem}";
                }
            }
        }
    }

    private static string? ImageProblem(string? image, bool release)
    {
        if (string.IsNullOrEmpty(image))
        {
            return "no image";
        }
        if (image.Contains("@sha256:", StringComparison.Ordinal))
        {
            return null;
        }
        var name = image[(image.LastIndexOf('/') + 1)..];
        var colon = name.LastIndexOf(':');
        if (colon < 0)
        {
            return $"image {image} has no tag (it would pull latest)";
        }
        var tag = name[(colon + 1)..];
        if (tag == "latest")
        {
            return $"image {image} is tagged latest";
        }
        return release && tag == "dev" ? $"image {image} is the local dev build, not a release" : null;
    }

    /// <summary>
    /// No Secret is rendered (Secrets are created out of band and only referenced), and no environment variable that
    /// names a secret carries its value inline.
    /// </summary>
    public static IEnumerable<string> NoInlineSecrets(IEnumerable<KubeObject> objects)
    {
        foreach (var o in objects)
        {
            if (o.Kind == "Secret")
            {
                yield return $"{o.Id}: a Secret in the manifests{(o.Root.Node("data") is not null || o.Root.Node("stringData") is not null ? ", with its data inline" : "")}; create it out of band and reference it";
            }
            foreach (var container in Containers(o))
            {
                foreach (var env in container.Items("env").Where(e => e.Node("value") is not null && SecretName().IsMatch(e.Scalar("name") ?? "")))
                {
                    yield return $"{o.Id} container {container.Scalar("name")}: {env.Scalar("name")} has an inline value; take it from a Secret (valueFrom)";
                }
            }
        }
    }

    /// <summary>
    /// The Secrets no workload of the hub may reference: the broker's administration credential (the hub's, and the
    /// Cluster Operator's default user) and PostgreSQL's superuser. The provisioner (ADR-014) is the one exception for
    /// the first (<see cref="AdministrationSecretHolders"/>).
    /// </summary>
    public static readonly IReadOnlySet<string> AdministrationSecrets = new HashSet<string>(
        ["sharinghub-broker-admin", "sharinghub-rabbitmq-default-user", "sharinghub-pg-superuser"], StringComparer.Ordinal);

    /// <summary>The one reviewed exception: the provisioner's Deployment holds the hub's broker administration credential.</summary>
    public static readonly IReadOnlySet<(string Workload, string Secret)> AdministrationSecretHolders =
        new HashSet<(string, string)> { ("Deployment/sharinghub-provisioner", "sharinghub-broker-admin") };

    /// <summary>No workload references one of <see cref="AdministrationSecrets"/> (env, envFrom or a volume).</summary>
    public static IEnumerable<string> NoAdministrationCredentials(IEnumerable<KubeObject> objects)
    {
        foreach (var o in objects.Where(o => o.IsWorkload))
        {
            var referenced = Containers(o).SelectMany(c =>
                    c.Items("env").Select(e => e.Scalar("valueFrom", "secretKeyRef", "name"))
                        .Concat(c.Items("envFrom").Select(e => e.Scalar("secretRef", "name"))))
                .Concat(o.PodTemplate.Items("spec", "volumes").Select(v => v.Scalar("secret", "secretName")))
                .Concat(o.PodTemplate.Items("spec", "volumes").SelectMany(v => v.Items("projected", "sources")).Select(p => p.Scalar("secret", "name")))
                .OfType<string>();
            foreach (var secret in referenced.Where(AdministrationSecrets.Contains).Distinct(StringComparer.Ordinal)
                .Where(secret => !AdministrationSecretHolders.Contains((o.Id, secret))))
            {
                yield return $"{o.Id}: holds the administration credential {secret}";
            }
        }
    }

    [GeneratedRegex("password|passphrase|secret|token|apikey|api_key|connectionstrings__", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    /// <summary>
    /// Every workload's pods, and the pods the operators make (RabbitMQ nodes, PostgreSQL instances, poolers), are
    /// selected by a NetworkPolicy of their own (a non-empty podSelector) and isolated for both ingress and egress.
    /// With <paramref name="namespaceDefaultDeny"/> (the hub's namespace), a policy also denies everything to every pod.
    /// </summary>
    public static IEnumerable<string> NetworkPolicies(IReadOnlyList<KubeObject> objects, bool namespaceDefaultDeny)
    {
        var policies = objects.Where(o => o.Kind == "NetworkPolicy").ToList();
        if (namespaceDefaultDeny && !policies.Any(p => IsEmptySelector(p.Root.Map("spec", "podSelector"))
                && PolicyTypes(p).IsSupersetOf(BothDirections)
                && p.Root.Node("spec", "ingress") is null && p.Root.Node("spec", "egress") is null))
        {
            yield return "no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)";
        }
        foreach (var (id, labels) in Pods(objects))
        {
            var selecting = policies.Where(p => Selects(p.Root.Map("spec", "podSelector"), labels)).ToList();
            if (!selecting.Any(p => !IsEmptySelector(p.Root.Map("spec", "podSelector"))))
            {
                yield return $"{id}: no NetworkPolicy selects its pods";
                continue;
            }
            var types = selecting.SelectMany(PolicyTypes).ToHashSet(StringComparer.Ordinal);
            foreach (var type in BothDirections.Where(t => !types.Contains(t)))
            {
                yield return $"{id}: its pods are not isolated for {type} (no selecting policy lists it in policyTypes)";
            }
        }
    }

    /// <summary>
    /// A Deployment or StatefulSet with two or more replicas, or scaled by a KEDA ScaledObject, and a RabbitMQ cluster of
    /// two or more nodes, has a PodDisruptionBudget selecting its pods. (CloudNativePG makes its own.)
    /// </summary>
    public static IEnumerable<string> DisruptionBudgets(IReadOnlyList<KubeObject> objects)
    {
        var budgets = objects.Where(o => o.Kind == "PodDisruptionBudget").ToList();
        var scaled = objects.Where(o => o.Kind == "ScaledObject").Select(o => o.Root.Scalar("spec", "scaleTargetRef", "name")).ToHashSet(StringComparer.Ordinal);
        foreach (var o in objects)
        {
            IReadOnlyDictionary<string, string>? labels = o.Kind switch
            {
                "Deployment" or "StatefulSet" when Replicas(o.Root.Scalar("spec", "replicas")) >= 2 || scaled.Contains(o.Name) =>
                    o.PodTemplate.Strings("metadata", "labels"),
                "RabbitmqCluster" when Replicas(o.Root.Scalar("spec", "replicas")) >= 2 => RabbitmqPodLabels(o),
                _ => null,
            };
            if (labels is not null && !budgets.Any(b => !IsEmptySelector(b.Root.Map("spec", "selector")) && Selects(b.Root.Map("spec", "selector"), labels)))
            {
                yield return $"{o.Id}: runs several pods but no PodDisruptionBudget selects them";
            }
        }

        static int Replicas(string? value) => int.TryParse(value, out var n) ? n : 1;
    }

    /// <summary>A pod template's containers and init containers.</summary>
    private static IEnumerable<YamlNode> Containers(KubeObject o) =>
        o.PodTemplate.Items("spec", "initContainers").Concat(o.PodTemplate.Items("spec", "containers"))
            // CloudNativePG's Pooler takes a pod template too (spec.template).
            .Concat(o.Kind == "Pooler" ? o.Root.Items("spec", "template", "spec", "containers") : []);

    /// <summary>The pods of workloads and of operator resources, with the labels they carry.</summary>
    private static IEnumerable<(string Id, IReadOnlyDictionary<string, string> Labels)> Pods(IEnumerable<KubeObject> objects)
    {
        foreach (var o in objects)
        {
            if (o.IsWorkload)
            {
                yield return (o.Id, o.PodTemplate.Strings("metadata", "labels"));
            }
            else if (o.Kind == "RabbitmqCluster")
            {
                yield return (o.Id, RabbitmqPodLabels(o));
            }
            else if (o.Kind == "Cluster" && o.Root.Scalar("apiVersion")?.StartsWith("postgresql.cnpg.io/", StringComparison.Ordinal) == true)
            {
                yield return (o.Id, new Dictionary<string, string>(StringComparer.Ordinal) { ["cnpg.io/cluster"] = o.Name, ["cnpg.io/podRole"] = "instance" });
            }
            else if (o.Kind == "Pooler")
            {
                yield return (o.Id, new Dictionary<string, string>(StringComparer.Ordinal) { ["cnpg.io/poolerName"] = o.Name, ["cnpg.io/podRole"] = "pooler" });
            }
        }
    }

    /// <summary>The labels the RabbitMQ Cluster Operator puts on a cluster's nodes.</summary>
    private static Dictionary<string, string> RabbitmqPodLabels(KubeObject cluster) => new(StringComparer.Ordinal)
    {
        ["app.kubernetes.io/name"] = cluster.Name,
        ["app.kubernetes.io/component"] = "rabbitmq",
        ["app.kubernetes.io/part-of"] = "rabbitmq",
    };

    private static HashSet<string> PolicyTypes(KubeObject policy)
    {
        var types = policy.Root.Items("spec", "policyTypes").Select(t => (t as YamlScalarNode)?.Value).OfType<string>().ToHashSet(StringComparer.Ordinal);
        // Without policyTypes, Kubernetes infers Ingress, and Egress only when there are egress rules.
        if (types.Count == 0)
        {
            types.Add("Ingress");
            if (policy.Root.Node("spec", "egress") is not null)
            {
                types.Add("Egress");
            }
        }
        return types;
    }

    private static bool IsEmptySelector(YamlMappingNode? selector) =>
        !selector.Strings("matchLabels").Any() && !selector.Items("matchExpressions").Any();

    /// <summary>Whether a label selector (matchLabels and matchExpressions) selects <paramref name="labels"/>.</summary>
    internal static bool Selects(YamlMappingNode? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is null)
        {
            return false;
        }
        if (selector.Strings("matchLabels").Any(kv => !labels.TryGetValue(kv.Key, out var value) || value != kv.Value))
        {
            return false;
        }
        foreach (var expression in selector.Items("matchExpressions"))
        {
            var key = expression.Scalar("key") ?? "";
            var values = expression.Items("values").Select(v => (v as YamlScalarNode)?.Value).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var has = labels.TryGetValue(key, out var value);
            var holds = expression.Scalar("operator") switch
            {
                "In" => has && values.Contains(value!),
                "NotIn" => !has || !values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!holds)
            {
                return false;
            }
        }
        return true;
    }
}
