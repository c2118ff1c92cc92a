using System.Globalization;

namespace CatsDogs.Pipeline.Tuning;

/// <summary>
/// <c>runs/&lt;name&gt;/settings.csv</c>: a row for the settings a process started with and one for
/// every change after, each with its time, its source and every setting in force, so the file alone
/// tells what ran when. A resumed run appends to the file its first process began.
/// </summary>
internal sealed class SettingsCsv(string path)
{
    public const string FileName = "settings.csv";

    private static readonly string Header = "time,source," + string.Join(',', SettingNames.All.Select(name => name.Label())) + ",reason";

    public string Path { get; } = path;

    public void Append(DateTimeOffset time, ChangeSource source, IReadOnlyDictionary<SettingName, long> values, string reason)
    {
        var fields = new List<string> { time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), source.ToString().ToLowerInvariant() };
        fields.AddRange(SettingNames.All.Select(name => values[name].ToString(CultureInfo.InvariantCulture)));
        fields.Add(Quoted(reason));
        var exists = File.Exists(Path);
        File.AppendAllText(Path, (exists ? "" : Header + "\n") + string.Join(',', fields) + "\n");
    }

    private static string Quoted(string text) => text.IndexOfAny([',', '"', '\n']) < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal).Replace('\n', ' ') + "\"";
}
