using System.Diagnostics;
using System.Globalization;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Runs;

namespace CatsDogs.Pipeline.Bench;

/// <summary>
/// Runs the decode-limit program (bench/libjpeg_limit.c: libjpeg-turbo's SIMD scaled decode and a
/// plain bilinear resize, in C) on a data set's JPEGs, reading them from files as the pipeline does.
/// </summary>
internal static class DecodeLimit
{
    /// <summary>The limit's images/s and CPU time per image over all its measured passes, as <see cref="InputBenchmark"/> measures ours.</summary>
    public sealed record Figures(double ImagesPerSecond, double CpuMicrosecondsPerImage);

    public static async Task<Figures> RunAsync(string program, DatasetIndex index, RunFolder run, int threads, int imageSize, int passes, CancellationToken cancellationToken)
    {
        var list = run.File("limit-files.txt");
        if (!File.Exists(list))
        {
            await File.WriteAllLinesAsync(list, index.Entries.Select(index.FullPath), cancellationToken);
        }

        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { list, $"{threads}", $"{imageSize}", $"{passes}", "files" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var fields = output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (process.ExitCode != 0 || fields.Length != 2)
        {
            throw new IOException($"{program} failed (exit {process.ExitCode}): {errors.Trim()}{output.Trim()}");
        }

        return new Figures(double.Parse(fields[0], CultureInfo.InvariantCulture), double.Parse(fields[1], CultureInfo.InvariantCulture));
    }
}
