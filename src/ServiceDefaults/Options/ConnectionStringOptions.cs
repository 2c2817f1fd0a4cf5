namespace SharingHub.ServiceDefaults.Options;

/// <summary>
/// A named connection string (<c>ConnectionStrings:{name}</c>), registered with
/// <see cref="OptionsExtensions.AddRequiredConnectionString"/> and read as
/// <c>IOptionsMonitor&lt;ConnectionStringOptions&gt;.Get(name)</c>.
/// </summary>
public sealed class ConnectionStringOptions
{
    /// <summary>The connection string.</summary>
    public string Value { get; set; } = "";
}
