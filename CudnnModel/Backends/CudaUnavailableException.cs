namespace CatsDogs.Model.Backends;

/// <summary>
/// --device cuda was asked for and CUDA cannot run here; the message says why and lists every
/// place the libraries were looked for. A user's error, not a bug: the command line exits with 2.
/// </summary>
public sealed class CudaUnavailableException(string message) : Exception(message);
