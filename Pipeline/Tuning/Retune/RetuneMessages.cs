using System.Text.Json;
using System.Text.Json.Nodes;
using CatsDogs.Pipeline.Runs;

namespace CatsDogs.Pipeline.Tuning.Retune;

/// <summary>
/// What <c>retune</c> and a running process say to each other, through two files in the run folder
/// that only the owner can write (mode 0600), each written whole and renamed into place: the request
/// (<c>{"id": ..., "settings": {"prefetch": 8}}</c>) and the answer (<c>{"id": ..., "accepted": true,
/// "settings": {every live setting in force}, "message": ...}</c>). The id ties an answer to its request.
/// </summary>
internal static class RetuneMessages
{
    public const string RequestFile = "retune.request";

    public const string AnswerFile = "retune.answer";

    /// <summary>Longer than any honest request: a bigger file is refused unread.</summary>
    public const int MaxBytes = 64 * 1024;

    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public sealed record Request(string Id, IReadOnlyDictionary<SettingName, int> Settings);

    public sealed record Answer(string Id, bool Accepted, IReadOnlyDictionary<SettingName, int> Settings, string Message);

    public static string Write(Request request) =>
        new JsonObject { ["id"] = request.Id, ["settings"] = SettingsObject(request.Settings) }.ToJsonString();

    public static string Write(Answer answer) =>
        new JsonObject { ["id"] = answer.Id, ["accepted"] = answer.Accepted, ["settings"] = SettingsObject(answer.Settings), ["message"] = answer.Message }.ToJsonString();

    /// <summary>A request, or a <see cref="FormatException"/> saying what is wrong with it; the id is read first, so a refusal can still name it.</summary>
    public static Request ReadRequest(string json, out string? id)
    {
        id = null;
        var root = Parse(json);
        id = root["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var text) && text.Length is > 0 and <= 100
            ? text
            : throw new FormatException("it has no \"id\" string.");
        return new Request(id, ReadSettings(root["settings"] as JsonObject ?? throw new FormatException("it has no \"settings\" object."), live: true));
    }

    public static Answer ReadAnswer(string json)
    {
        var root = Parse(json);
        return new Answer(
            root["id"]?.GetValue<string>() ?? throw new FormatException("it has no \"id\"."),
            root["accepted"]?.GetValue<bool>() ?? throw new FormatException("it has no \"accepted\"."),
            ReadSettings(root["settings"] as JsonObject ?? throw new FormatException("it has no \"settings\"."), live: false),
            root["message"]?.GetValue<string>() ?? "");
    }

    /// <summary>Writes <paramref name="text"/> to a file of the run only its owner can read or write, whole: a reader sees the old file or the new one.</summary>
    public static void WriteAtomically(RunFolder run, string fileName, string text)
    {
        var temporary = run.File($".{fileName}.{Environment.ProcessId}.tmp");
        using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(temporary, OwnerOnly);
        File.Move(temporary, run.File(fileName), overwrite: true);
    }

    private static JsonObject Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new FormatException("it is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"it is not JSON ({e.Message})", e);
        }
    }

    private static Dictionary<SettingName, int> ReadSettings(JsonObject settings, bool live)
    {
        var values = new Dictionary<SettingName, int>();
        foreach (var (label, node) in settings)
        {
            if (!SettingNames.TryParse(label, out var name) || (live && !SettingNames.Live.Contains(name)))
            {
                throw new FormatException($"\"{label}\" is not a setting that can change while a run goes on ({string.Join(", ", SettingNames.Live.Select(n => n.Label()))}).");
            }

            values[name] = node is JsonValue value && value.TryGetValue<int>(out var number)
                ? number
                : throw new FormatException($"\"{label}\" is not a whole number.");
        }

        return values;
    }

    private static JsonObject SettingsObject(IReadOnlyDictionary<SettingName, int> settings) =>
        new(settings.OrderBy(pair => pair.Key).Select(pair => KeyValuePair.Create(pair.Key.Label(), (JsonNode?)JsonValue.Create(pair.Value))));
}
