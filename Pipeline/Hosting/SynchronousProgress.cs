namespace CatsDogs.Pipeline.Hosting;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the calling thread. The framework's
/// <see cref="Progress{T}"/> posts to the thread pool, so its reports can arrive after the work
/// (and the progress display) has ended.
/// </summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
