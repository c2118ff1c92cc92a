using System.Globalization;

namespace CatsDogs.Bench.Libtorch;

/// <summary>'--name value' pairs, checked against the names a command knows.</summary>
internal sealed class OptionPairs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public OptionPairs(IReadOnlyList<string> args, IReadOnlyCollection<string> known)
    {
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.");
            }

            _values[args[i]] = args[i + 1];
        }

        if (_values.Keys.FirstOrDefault(key => !known.Contains(key)) is { } unknown)
        {
            throw new ArgumentException($"Unknown option '{unknown}'. Known: {string.Join(", ", known)}.");
        }
    }

    public string Text(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"{name} is required.");

    public int Positive(string name, int fallback)
    {
        var value = _values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }

    public double Number(string name, double fallback) =>
        _values.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
