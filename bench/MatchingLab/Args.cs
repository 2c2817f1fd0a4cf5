using System.Globalization;

namespace SharingHub.MatchingLab;

/// <summary>Minimal "--name value" parsing; repeated names collect several values.</summary>
internal sealed class Args
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public Args(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _flags.Add(pending);
                }

                pending = arg[2..];
                continue;
            }

            if (pending is null)
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }

            if (!_values.TryGetValue(pending, out var list))
            {
                list = [];
                _values[pending] = list;
            }

            list.Add(arg);
            pending = null;
        }

        if (pending is not null)
        {
            _flags.Add(pending);
        }
    }

    public bool Flag(string name) => _flags.Contains(name);

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var list) ? list : [];

    public string? Optional(string name) => All(name) is { Count: > 0 } values ? values[^1] : null;

    public string Required(string name) => Optional(name) ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) => Optional(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => Optional(name) is { } value ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public IReadOnlyList<int> Ints(string name, int fallback)
    {
        var values = All(name).SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries))
            .Select(value => int.Parse(value, CultureInfo.InvariantCulture)).ToArray();
        return values.Length == 0 ? [fallback] : values;
    }
}
