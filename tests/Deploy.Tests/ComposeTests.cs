using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace SharingHub.Deploy.Tests;

/// <summary>
/// docker-compose.yml's structure, read with YamlDotNet (no Docker engine or compose plugin runs where the hub is built,
/// so <c>docker compose config</c> cannot): the provisioner is a service of its own (ADR-014), configured like the
/// others, and the broker administration credential reaches only the services that need it, never the Gateway.
/// </summary>
public sealed partial class ComposeTests
{
    // The services that may hold the broker administration credential: the broker itself, the two one-shot setup
    // services and the provisioner.
    private static readonly string[] AdminHolders = ["rabbitmq", "broker-users", "broker-setup", "provisioner"];

    private static readonly Lazy<YamlMappingNode> Services = new(() =>
    {
        using var reader = new StreamReader(Path.Combine(Kustomize.RepositoryRoot, "docker-compose.yml"));
        var yaml = new YamlStream();
        yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return (YamlMappingNode)root["services"];
    });

    [Fact]
    public void Provisioner_IsAServiceBuiltFromItsOwnDockerfile()
    {
        var provisioner = Service("provisioner");

        var build = (YamlMappingNode)provisioner["build"];
        Assert.Equal("src/Provisioner/Dockerfile", Scalar(build, "dockerfile"));
        Assert.True(File.Exists(Path.Combine(Kustomize.RepositoryRoot, "src", "Provisioner", "Dockerfile")));
        Assert.Equal("unless-stopped", Scalar(provisioner, "restart"));
        Assert.Contains("/health/ready", ((YamlSequenceNode)((YamlMappingNode)provisioner["healthcheck"])["test"]).Children.Last().ToString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Provisioner_HasEverySettingItNeeds_SecretsReferencedFromTheEnvironmentNeverInlined()
    {
        var environment = Environment(Service("provisioner"));

        foreach (var key in new[] { "ConnectionStrings__hubdb", "ConnectionStrings__identitydb", "Provisioner__ManagementUri",
                     "Provisioner__AdminUser", "Provisioner__AdminPassword", "Provisioner__HandoverDirectory" })
        {
            Assert.True(environment.ContainsKey(key), $"the provisioner lacks {key}");
        }
        Assert.Equal("Production", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Matches(Reference(), environment["Provisioner__AdminPassword"]);
        Assert.Contains("RABBITMQ_ADMIN_PASSWORD", environment["Provisioner__AdminPassword"], StringComparison.Ordinal);
        // Its own database role on both databases, with its password from the environment.
        foreach (var key in new[] { "ConnectionStrings__hubdb", "ConnectionStrings__identitydb" })
        {
            Assert.Contains("Username=sharinghub_provisioner;", environment[key], StringComparison.Ordinal);
            Assert.Matches(@"Password=\$\{POSTGRES_PROVISIONER_PASSWORD:\?[^}]*\}$", environment[key]);
        }
        // The management API over https: the provisioner's Production settings refuse plain http.
        Assert.StartsWith("https://", environment["Provisioner__ManagementUri"], StringComparison.Ordinal);
    }

    [Fact]
    public void Provisioner_StartsAfterItsGrantsWhichFollowBothMigrations()
    {
        Assert.Equal("service_completed_successfully", DependsOn(Service("provisioner"), "provisioner-grants"));
        var grants = Service("provisioner-grants");
        Assert.Equal("service_completed_successfully", DependsOn(grants, "gateway-migrate"));
        Assert.Equal("service_completed_successfully", DependsOn(grants, "identity-migrate"));
        var command = string.Join(' ', ((YamlSequenceNode)grants["command"]).Children.Select(c => c.ToString()));
        Assert.Contains("gateway-grants.sql", command, StringComparison.Ordinal);
        Assert.Contains("identity-grants.sql", command, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokerAdministrationCredential_OnlyTheBrokerItsSetupServicesAndTheProvisioner()
    {
        var holders = Services.Value.Children
            .Where(s => Environment((YamlMappingNode)s.Value).Values.Any(v => v.Contains("RABBITMQ_ADMIN_PASSWORD", StringComparison.Ordinal)))
            .Select(s => s.Key.ToString())
            .Order(StringComparer.Ordinal);

        Assert.Equal(AdminHolders.Order(StringComparer.Ordinal), holders);
        Assert.DoesNotContain("gateway", holders);
        Assert.DoesNotContain("identity", holders);
    }

    [Fact]
    public void EveryService_PasswordsAndPassphrasesReferencedFromTheEnvironmentNeverInlined()
    {
        foreach (var service in Services.Value.Children)
        {
            foreach (var (key, value) in Environment((YamlMappingNode)service.Value))
            {
                if (SecretName().IsMatch(key))
                {
                    Assert.True(Reference().IsMatch(value), $"{service.Key}: {key} is inlined, not referenced from .env");
                }
                foreach (Match password in InlinePassword().Matches(value))
                {
                    Assert.True(password.Groups[1].Value.StartsWith("${", StringComparison.Ordinal),
                        $"{service.Key}: {key} carries an inlined password");
                }
            }
        }
    }

    private static YamlMappingNode Service(string name) =>
        Services.Value.Children.TryGetValue(new YamlScalarNode(name), out var node)
            ? (YamlMappingNode)node
            : throw new Xunit.Sdk.XunitException($"docker-compose.yml has no service {name}");

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static string DependsOn(YamlMappingNode service, string other) =>
        Scalar((YamlMappingNode)((YamlMappingNode)service["depends_on"])[other], "condition");

    // A service's environment with its merge keys (<<: *anchor) resolved, as compose reads it.
    private static Dictionary<string, string> Environment(YamlMappingNode service)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!service.Children.TryGetValue(new YamlScalarNode("environment"), out var node) || node is not YamlMappingNode environment)
        {
            return result;
        }
        foreach (var (key, value) in environment.Children)
        {
            if (key.ToString() == "<<" && value is YamlMappingNode merged)
            {
                foreach (var (k, v) in merged.Children)
                {
                    result.TryAdd(k.ToString(), v.ToString());
                }
            }
        }
        foreach (var (key, value) in environment.Children.Where(c => c.Key.ToString() != "<<"))
        {
            result[key.ToString()] = value.ToString();
        }
        return result;
    }

    [GeneratedRegex(@"^\$\{[A-Z][A-Z0-9_]*(:[?-][^}]*)?\}$")]
    private static partial Regex Reference();

    [GeneratedRegex(@"(PASSWORD|PASSPHRASE|SECRET)$")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"Password=([^;]*)")]
    private static partial Regex InlinePassword();
}
