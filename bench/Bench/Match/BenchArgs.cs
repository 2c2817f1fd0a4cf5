using System.Globalization;

namespace SharingHub.Bench.Match;

/// <summary><c>--name value</c> arguments and <c>--flag</c> switches.</summary>
internal sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public BenchArgs(string[] args, params string[] flags)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }
            var name = args[i][2..];
            if (flags.Contains(name))
            {
                _flags.Add(name);
            }
            else if (i + 1 < args.Length)
            {
                _values[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"--{name} needs a value");
            }
        }
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Required(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) => Get(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => _flags.Contains(name);

    public static string Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
        ? value : throw new ArgumentException($"environment variable {name} is not set (run through ./hub)");
}
