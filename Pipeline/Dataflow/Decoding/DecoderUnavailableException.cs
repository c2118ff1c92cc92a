namespace CatsDogs.Pipeline.Dataflow.Decoding;

/// <summary>The decoder that was asked for by name cannot be loaded on this machine; the message says what to install.</summary>
internal sealed class DecoderUnavailableException(string message) : Exception(message);
