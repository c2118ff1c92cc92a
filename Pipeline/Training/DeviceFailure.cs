namespace CatsDogs.Pipeline.Training;

/// <summary>
/// The GPU or its libraries failed while a run trained (a device fault, say): neither the user's
/// mistake nor a known bug. The message says what failed and what to do next. Exit code 1.
/// </summary>
internal sealed class DeviceFailure(string message, Exception inner) : Exception(message, inner);
