namespace CatsDogs.Pipeline.Data;

/// <summary>Where the default data set lives, relative to the working folder (run.sh runs from the repository root).</summary>
internal static class CifarDefaults
{
    public const string Folder = "data/cifar-catsdogs";

    public static readonly string TrainFolder = Path.Combine(Folder, "train");

    public static readonly string TestFolder = Path.Combine(Folder, "test");
}
