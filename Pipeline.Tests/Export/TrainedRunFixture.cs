using CatsDogs.Tests.Cli;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Export;

/// <summary>A run that `catsdogs train` made once, for the export tests to copy.</summary>
public sealed class TrainedRunFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public TrainedRunFixture() => Run = TinyRun.Train(_folder);

    public string Run { get; }

    /// <summary>The data set and split file the run was trained on.</summary>
    public string Data => _folder.Combine("data");

    public string Split => _folder.Combine("split.json");

    public void Dispose() => _folder.Dispose();
}
