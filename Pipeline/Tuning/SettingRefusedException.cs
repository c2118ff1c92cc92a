namespace CatsDogs.Pipeline.Tuning;

/// <summary>A change a running process refused, as a whole, with why; nothing of it was put in force.</summary>
internal sealed class SettingRefusedException(string message) : Exception(message);
