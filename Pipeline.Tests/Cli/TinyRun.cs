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
        var (exit, output) = CliRun.Run(Arguments(folder, "first"));
        Assert.True(exit == 0, output);
        return folder.Combine("runs", "first");
    }

    /// <summary>`train` of runs/<paramref name="name"/> under <paramref name="folder"/>, on the data set <see cref="Train"/> writes there.</summary>
    public static string[] Arguments(TempFolder folder, string name) =>
    [
        "train", "--device", "cpu", "--cpu-threads", "1", "--decode-threads", "1", "--metrics-listen", "none",
        "--data", folder.Combine("data"), "--split-file", folder.Combine("split.json"), "--runs-dir", folder.Combine("runs"), "--name", name,
        "--epochs", "1", "--image-size", "16", "--batch-size", "8",
    ];
}
