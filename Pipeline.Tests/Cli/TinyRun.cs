using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Cli;

/// <summary>A one-epoch run of `catsdogs train` on a small stripes data set, for tests of the verbs that use a run.</summary>
internal static class TinyRun
{
    public const int ImagesPerClass = 24;

    /// <summary>Trains runs/first under <paramref name="folder"/> on data/ there; returns the run folder.</summary>
    public static string Train(TempFolder folder)
    {
        StripesDataset.Write(folder, "data", perClass: ImagesPerClass);
        var (exit, output) = CliRun.Run("train", "--device", "cpu", "--cpu-threads", "1", "--decode-threads", "1", "--metrics-listen", "none",
            "--data", folder.Combine("data"), "--split-file", folder.Combine("split.json"), "--runs-dir", folder.Combine("runs"), "--name", "first",
            "--epochs", "1", "--image-size", "16", "--batch-size", "8");
        Assert.True(exit == 0, output);
        return folder.Combine("runs", "first");
    }
}
