using YamlDotNet.RepresentationModel;

namespace SharingHub.Deploy.Tests;

/// <summary>One rendered Kubernetes object: its kind, name and YAML tree.</summary>
internal sealed class KubeObject(YamlMappingNode root)
{
    /// <summary>Kinds whose <c>spec.template</c> (or, for a CronJob, <c>spec.jobTemplate.spec.template</c>) is a pod template.</summary>
    private static readonly HashSet<string> WorkloadKinds = new(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"], StringComparer.Ordinal);

    public YamlMappingNode Root { get; } = root;

    public string Kind { get; } = root.Scalar("kind") ?? "";

    public string Name { get; } = root.Scalar("metadata", "name") ?? "";

    /// <summary>Kind/name, as messages name the object.</summary>
    public string Id => $"{Kind}/{Name}";

    public bool IsWorkload => WorkloadKinds.Contains(Kind);

    /// <summary>A workload that runs until stopped, as opposed to a Job's pods, which run to completion.</summary>
    public bool IsLongRunning => Kind is "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet";

    /// <summary>The pod template of a workload, or null.</summary>
    public YamlMappingNode? PodTemplate => Kind == "CronJob"
        ? Root.Map("spec", "jobTemplate", "spec", "template")
        : IsWorkload ? Root.Map("spec", "template") : null;

    public static IReadOnlyList<KubeObject> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().Select(n => new KubeObject(n))];
    }

    public override string ToString() => Id;
}

/// <summary>Navigation over YamlDotNet's representation model: absent paths are null, never exceptions.</summary>
internal static class Yaml
{
    public static YamlNode? Node(this YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }
        return node;
    }

    public static YamlMappingNode? Map(this YamlNode? node, params string[] path) => node.Node(path) as YamlMappingNode;

    public static string? Scalar(this YamlNode? node, params string[] path) => (node.Node(path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(this YamlNode? node, params string[] path) =>
        node.Node(path) is YamlSequenceNode sequence ? sequence.Children : [];

    /// <summary>A mapping's string entries (labels, matchLabels).</summary>
    public static IReadOnlyDictionary<string, string> Strings(this YamlNode? node, params string[] path) =>
        node.Map(path) is { } map
            ? map.Children.Where(kv => kv.Key is YamlScalarNode && kv.Value is YamlScalarNode)
                .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => ((YamlScalarNode)kv.Value).Value ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    public static bool IsTrue(this YamlNode? node, params string[] path) => node.Scalar(path) is "true";
}
