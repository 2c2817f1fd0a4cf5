namespace SharingHub.TestSupport;

/// <summary>
/// Where the private PostgreSQL and RabbitMQ that <c>./hub infra</c> starts can be reached. The values come from the
/// environment that <c>./hub test</c> exports; a missing one fails the test with a message saying what to run.
/// </summary>
/// <param name="PostgresAdminConnectionString">A role that may create databases from the template.</param>
/// <param name="PostgresTemplate">The template every test database is created from.</param>
/// <param name="RabbitMqUri">The broker as its administration user (<c>HUB_RABBIT_ADMIN_URL</c>).</param>
/// <param name="RabbitMqGatewayUri">The broker as the Gateway's own least-privilege user (<c>ConnectionStrings__rabbitmq</c>, as the Gateway gets it).</param>
/// <param name="RabbitMqManagementUri">The management API.</param>
/// <param name="RabbitMqAdminUser">The administration user.</param>
/// <param name="RabbitMqAdminPassword">Its password.</param>
public sealed record TestInfrastructure(
    string PostgresAdminConnectionString,
    string PostgresTemplate,
    Uri RabbitMqUri,
    Uri RabbitMqGatewayUri,
    Uri RabbitMqManagementUri,
    string RabbitMqAdminUser,
    string RabbitMqAdminPassword)
{
    /// <summary>The Gateway's broker user name.</summary>
    public string RabbitMqGatewayUser => Uri.UnescapeDataString(RabbitMqGatewayUri.UserInfo.Split(':')[0]);

    /// <summary>What to tell a developer whose infrastructure is missing.</summary>
    public const string RunHubInfra =
        "Run the tests with ./hub test, or start the private infrastructure with ./hub infra and export its environment.";

    private static readonly Lazy<TestInfrastructure> FromEnvironment = new(Read);

    /// <summary>The infrastructure of this checkout, as exported by <c>./hub test</c>.</summary>
    public static TestInfrastructure Current => FromEnvironment.Value;

    private static TestInfrastructure Read() => new(
        Require("HUB_PG_ADMIN"),
        Require("HUB_PG_TEMPLATE"),
        new Uri(Require("HUB_RABBIT_ADMIN_URL")),
        new Uri(Require("ConnectionStrings__rabbitmq")),
        new Uri(Require("HUB_RABBIT_MGMT_URL")),
        Require("HUB_RABBIT_ADMIN_USER"),
        Require("HUB_RABBIT_ADMIN_PASSWORD"));

    private static string Require(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(value)
            ? throw new InfrastructureUnavailableException($"The environment variable {name} is not set. {RunHubInfra}")
            : value;
    }
}

/// <summary>The private PostgreSQL or RabbitMQ cannot be reached; integration tests fail, never skip.</summary>
public sealed class InfrastructureUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InfrastructureUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception around its cause.</summary>
    public InfrastructureUnavailableException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public InfrastructureUnavailableException() { }
}
