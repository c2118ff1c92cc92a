using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// catsdogs' CUDA backend and GPU telemetry end to end on the CUDA stack on the CPU: what a GPU's first run would
/// find wrong in the loader, the bindings' argument order, the descriptors, the GEMM transposes,
/// the algorithm choice, the workspace, the streams' ordering or the pinned-buffer reuse, found
/// without one. The stack's streams run work only when something waits for it, so an upload
/// the compute stream forgot to wait for reads memory not yet written.
/// </summary>
public sealed class CudaStackOnCpuTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [CppTheory]
    [InlineData("tf32", "TF32 allowed")]
    [InlineData("fp32", "strict FP32")]
    public async Task The_selftest_passes_with_every_op_within_the_precisions_threshold(string precision, string described)
    {
        var (exit, output) = await Selftest(CudaStackOnCpu.Environment, precision);

        Assert.True(exit == 0, output);
        Assert.Contains("CUDA stack on the CPU (test stand-in)", output);
        Assert.Contains(described, output);
        Assert.Empty(FailedOps(output));
        Assert.Contains("selftest passed on cuda", output);
    }

    [CppFact]
    public async Task A_kernel_that_swaps_two_channels_fails_the_selftest_in_its_op_only()
    {
        const string Correct = "out[plane] = rgb[1] * (1.0f / 255.0f);";
        Assert.Contains(Correct, CudaKernels.Source);
        var swapped = CudaKernels.Source.Replace(Correct, "out[plane] = rgb[2] * (1.0f / 255.0f);", StringComparison.Ordinal);

        var (exit, output) = await Selftest(CudaStackOnCpu.EnvironmentRunning(swapped), "fp32");

        Assert.True(exit == 1, output);
        Assert.Equal(["load images (uint8 NHWC -> NCHW)"], FailedOps(output));
        Assert.Contains("selftest FAILED on cuda: 1 op(s) over the threshold", output);
    }

    [CppFact]
    public async Task Training_on_jpegs_follows_the_cpu_backend_epoch_for_epoch_and_evaluation_agrees()
    {
        StripesDataset.Write(_folder, "data", perClass: 24, side: 16);
        foreach (var device in new[] { "cpu", "cuda" })
        {
            // A small learning rate keeps float rounding from growing into different trajectories.
            var (exit, output) = await CudaStackOnCpu.RunAsync("train", "--device", device, "--precision", "fp32", "--cpu-threads", "1",
                "--decode-threads", "1", "--metrics-listen", "none", "--data", _folder.Combine("data"), "--split-file", _folder.Combine("split.json"),
                "--runs-dir", _folder.Combine("runs"), "--name", device, "--epochs", "2", "--image-size", "16", "--batch-size", "4", "--lr", "0.0001");
            Assert.True(exit == 0, output);
        }

        var (cpu, cuda) = (Losses("cpu"), Losses("cuda"));
        Assert.Equal(2, cpu.Count);
        Assert.Equal(2, cuda.Count);
        // The stack's NVML reports the share of time its streams were busy; training keeps them busy.
        var utilization = Utilization("cuda");
        Assert.NotEmpty(utilization);
        Assert.All(utilization, percent => Assert.InRange(percent, 0, 100));
        Assert.Contains(utilization, percent => percent > 0);
        Assert.All(cpu.Zip(cuda), pair =>
        {
            Assert.Equal(pair.First.Train, pair.Second.Train, tolerance: 1e-5);
            Assert.Equal(pair.First.Validation, pair.Second.Validation, tolerance: 1e-5);
        });

        // With --tta flip, so that each batch's tiles are mirrored in place once the device has read them:
        // mirrored before the (lazy) upload ran, the GPU would see the mirror twice and agree with the CPU no more.
        var evaluations = new List<(double LogLoss, double Accuracy)>();
        foreach (var device in new[] { "cpu", "cuda" })
        {
            var (exit, output) = await CudaStackOnCpu.RunAsync("evaluate", "--device", device, "--precision", "fp32", "--tta", "flip",
                "--checkpoint", _folder.Combine("runs", "cuda", "checkpoints", "best.json"), "--data", _folder.Combine("data"));
            Assert.True(exit == 0, output);
            var scores = JsonNode.Parse(File.ReadAllText(_folder.Combine("runs", "cuda", "evaluation.json")))!;
            evaluations.Add((scores["logLoss"]!.GetValue<double>(), scores["accuracy"]!.GetValue<double>()));
        }

        Assert.Equal(evaluations[0].LogLoss, evaluations[1].LogLoss, tolerance: 1e-5);
        Assert.Equal(evaluations[0].Accuracy, evaluations[1].Accuracy);
    }

    [CppFact]
    public async Task A_training_step_waits_only_for_the_previous_upload_and_allocates_nothing()
    {
        var (few, more) = (await CountsAfter(steps: 5), await CountsAfter(steps: 15));

        // Ten more steps: ten more waits for an upload (each load waits for the one before), and
        // no allocation, free, stream or context synchronisation or download in any of them.
        Assert.Equal(10, more["event_waits"] - few["event_waits"]);
        Assert.All(new[] { "device_allocations", "device_frees", "pinned_allocations", "pinned_frees", "stream_waits", "context_waits", "pageable_downloads" },
            name => Assert.True(few[name] == more[name], $"{name}: {few[name]} after 5 steps, {more[name]} after 15"));
        // Closing frees all that was allocated, pinned batch buffers included.
        Assert.Equal(few["device_allocations"], few["device_frees"]);
        Assert.True(few["pinned_allocations"] > 0);
        Assert.Equal(few["pinned_allocations"], few["pinned_frees"]);
    }

    [CppTheory]
    [InlineData("tf32")]
    [InlineData("fp32")]
    public async Task Deterministic_runs_rank_algorithms_without_timing_and_run_nothing_cudnn_calls_non_deterministic(string precision)
    {
        var (fastest, deterministic) = (await CountsAfter(steps: 2, "--precision", precision), await CountsAfter(steps: 2, "--precision", precision, "--deterministic"));

        // The stack's fastest backward algorithm is non-deterministic in either precision, as cuDNN's atomics-based ones are,
        // and cuDNN calls plain max pooling's backward pass non-reproducible.
        Assert.True(fastest["nondeterministic_convolutions"] > 0);
        Assert.True(fastest["nondeterministic_poolings"] > 0);
        Assert.True(fastest["timed_searches"] > 0);
        // Find's timings vary from run to run, so two deterministic runs ranking by them could choose differently and part.
        Assert.All(new[] { "nondeterministic_convolutions", "nondeterministic_poolings", "timed_searches" },
            name => Assert.True(deterministic[name] == 0, $"{name}: {deterministic[name]} with --deterministic"));
    }

    [CppFact]
    public async Task A_host_wait_for_the_device_sleeps_unless_CATSDOGS_CUDA_SPIN_asks_for_the_drivers_default()
    {
        var spin = CudaStackOnCpu.Environment;
        spin["CATSDOGS_CUDA_SPIN"] = "1";
        var (sleeping, spinning) = (await CountsAfter(steps: 5), await CountsAfter(spin, steps: 5));

        // cuEventSynchronize spins on an event created without CU_EVENT_BLOCKING_SYNC, whatever the context's flags say.
        Assert.True(sleeping["event_waits"] > 0);
        Assert.Equal(0, sleeping["spinning_event_waits"]);
        Assert.True(spinning["event_waits"] > 0);
        Assert.Equal(spinning["event_waits"], spinning["spinning_event_waits"]);
    }

    [CppFact]
    public async Task The_selftest_sees_clipped_runs_part_by_default_and_fails_unless_they_are_equal_with_deterministic()
    {
        var (exit, output) = await Selftest(CudaStackOnCpu.Environment, "tf32");
        var (deterministicExit, deterministicOutput) = await Selftest(CudaStackOnCpu.Environment, "tf32", "--deterministic");

        // Allowed: the stack's fastest backward-filter algorithm, as cuDNN's atomics-based ones do, sums in a new order each call.
        Assert.True(exit == 0, output);
        Assert.Matches(@"twice from one seed: the losses part at step \d+ \(allowed without --deterministic", output);
        Assert.True(deterministicExit == 0, deterministicOutput);
        Assert.Contains("twice from one seed: every loss equal bit for bit: PASS", deterministicOutput);
    }

    [CppFact]
    public async Task Deterministic_training_with_gradient_clipping_gives_the_same_weights_on_every_run()
    {
        // Without --deterministic, the stack's fastest backward-filter algorithm sums in a new order each call, as atomics would.
        StripesDataset.Write(_folder, "data", perClass: 24, side: 16);
        var weights = new List<string>();
        foreach (var run in new[] { "first", "second" })
        {
            var (exit, output) = await CudaStackOnCpu.RunAsync("train", "--device", "cuda", "--deterministic", "--clip-grad-norm", "0.5",
                "--metrics-listen", "none", "--data", _folder.Combine("data"), "--split-file", _folder.Combine("split.json"),
                "--runs-dir", _folder.Combine("runs"), "--name", run, "--epochs", "2", "--image-size", "16", "--batch-size", "4");
            Assert.True(exit == 0, output);
            Assert.Contains("TF32 allowed, deterministic", output);
            var checkpoint = JsonNode.Parse(File.ReadAllText(_folder.Combine("runs", run, "checkpoints", "last.json")))!;
            weights.Add(checkpoint["weightsSha256"]!.GetValue<string>());
        }

        Assert.Equal(weights[0], weights[1]);
    }

    [CppFact]
    public async Task With_every_gpu_hidden_cuda_is_a_clear_error_and_auto_falls_back_to_the_cpu_saying_why()
    {
        var environment = CudaStackOnCpu.Environment;
        environment["CUDA_VISIBLE_DEVICES"] = "";

        var (exit, output) = await CudaStackOnCpu.RunAsync(environment, "selftest", "--device", "cuda");
        var (autoExit, autoOutput) = await CudaStackOnCpu.RunAsync(environment, "bench", "model", "--device", "auto", "--model", "compact",
            "--batch", "4", "--image-size", "16", "--warmup", "1", "--steps", "1");

        Assert.True(exit == 3, output);
        Assert.Contains("error: --device cuda: no CUDA device: cuInit: the CUDA driver loaded but sees no GPU (CUDA_VISIBLE_DEVICES is '', which hides", output);
        Assert.True(autoExit == 0, autoOutput);
        Assert.Contains("device: cpu, ", autoOutput);
        Assert.Contains("auto: CUDA is not available, so the CPU runs: no CUDA device (cuInit: the CUDA driver loaded but sees no GPU", autoOutput);
    }

    [CppFact]
    public async Task A_device_fault_stops_training_with_its_error_and_the_run_resumes_from_its_last_checkpoint()
    {
        StripesDataset.Write(_folder, "data", perClass: 24, side: 16);
        string[] Train(string name, int epochs) =>
        [
            "train", "--device", "cuda", "--metrics-listen", "none", "--data", _folder.Combine("data"), "--split-file", _folder.Combine("split.json"),
            "--runs-dir", _folder.Combine("runs"), "--name", name, "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--image-size", "16", "--batch-size", "4",
        ];
        var counted = CudaStackOnCpu.Environment;
        counted["CUDA_ON_CPU_COUNTS"] = _folder.Combine("one-epoch.txt");
        var (exit, output) = await CudaStackOnCpu.RunAsync(counted, Train("counted", epochs: 1));
        Assert.True(exit == 0, output);
        var perEpoch = long.Parse(File.ReadAllLines(_folder.Combine("one-epoch.txt")).Single(line => line.StartsWith("kernel_launches ", StringComparison.Ordinal)).Split(' ')[1],
            CultureInfo.InvariantCulture);

        // Every epoch runs the same kernels: this launch falls in the second epoch's training.
        var faulty = CudaStackOnCpu.Environment;
        faulty["CUDA_ON_CPU_FAIL_LAUNCH"] = (perEpoch + 20).ToString(CultureInfo.InvariantCulture);
        var (failed, report) = await CudaStackOnCpu.RunAsync(faulty, Train("faulted", epochs: 2));
        var (resumed, resumeOutput) = await CudaStackOnCpu.RunAsync("train", "--resume", _folder.Combine("runs", "faulted"), "--metrics-listen", "none");

        Assert.True(failed == 1, report);
        Assert.Contains("error: the GPU failed while training: ", report);
        Assert.Contains($"continue from its last checkpoint with --resume {_folder.Combine("runs", "faulted")}", report);
        Assert.Contains("CUDA_ERROR_ILLEGAL_ADDRESS", File.ReadAllText(_folder.Combine("runs", "faulted", "error.txt")));
        Assert.True(resumed == 0, resumeOutput);
        Assert.Contains("Resuming faulted at epoch 2", resumeOutput);
        Assert.Equal(3, File.ReadAllLines(_folder.Combine("runs", "faulted", "metrics.csv")).Length);
    }

    [CppFact]
    public async Task A_run_faulted_before_its_first_checkpoint_starts_again_when_resumed()
    {
        StripesDataset.Write(_folder, "data", perClass: 24, side: 16);
        var faulty = CudaStackOnCpu.Environment;
        faulty["CUDA_ON_CPU_FAIL_LAUNCH"] = "20";
        var (failed, report) = await CudaStackOnCpu.RunAsync(faulty, "train", "--device", "cuda", "--metrics-listen", "none", "--data", _folder.Combine("data"),
            "--split-file", _folder.Combine("split.json"), "--runs-dir", _folder.Combine("runs"), "--name", "early", "--epochs", "1", "--image-size", "16",
            "--batch-size", "4");
        var (resumed, resumeOutput) = await CudaStackOnCpu.RunAsync("train", "--resume", _folder.Combine("runs", "early"), "--metrics-listen", "none");

        Assert.True(failed == 1, report);
        Assert.Contains($"The run stopped before its first checkpoint; once the GPU works again, --resume {_folder.Combine("runs", "early")} starts it again.", report);
        Assert.True(resumed == 0, resumeOutput);
        Assert.Contains("stopped before its first checkpoint: it starts again from the beginning", resumeOutput);
        Assert.Equal(2, File.ReadAllLines(_folder.Combine("runs", "early", "metrics.csv")).Length);
        Assert.True(File.Exists(_folder.Combine("runs", "early", "checkpoints", "last.json")));
    }

    [CppFact]
    public async Task A_fused_convolution_cudnn_fails_on_its_first_call_runs_unfused_with_one_notice_and_the_same_losses()
    {
        StripesDataset.Write(_folder, "data", perClass: 24, side: 16);
        string[] Train(string name) =>
        [
            "train", "--device", "cuda", "--precision", "fp32", "--metrics-listen", "none", "--data", _folder.Combine("data"),
            "--split-file", _folder.Combine("split.json"), "--runs-dir", _folder.Combine("runs"), "--name", name, "--model", "baseline", "--epochs", "2",
            "--image-size", "16", "--batch-size", "4", "--lr", "0.0001",
        ];
        const string Notice = "cuDNN declined the fused convolution+bias+ReLU";
        var (fusedExit, fusedOutput) = await CudaStackOnCpu.RunAsync(Train("fused"));
        // A runtime-compilation failure (4001), as cuDNN gives for some shapes on sm_90, on every fused call.
        var declining = CudaStackOnCpu.Environment;
        declining["CUDA_ON_CPU_FAIL_FUSED"] = "4001";
        var (declinedExit, declinedOutput) = await CudaStackOnCpu.RunAsync(declining, Train("declined"));

        Assert.True(fusedExit == 0, fusedOutput);
        Assert.DoesNotContain(Notice, fusedOutput);
        Assert.True(declinedExit == 0, declinedOutput);
        var notice = Assert.Single(declinedOutput.Split('\n'), line => line.Contains(Notice, StringComparison.Ordinal));
        Assert.Contains("(4001)", notice);
        Assert.Contains("CUDA_ON_CPU_FAIL_FUSED", notice);
        Assert.All(Losses("fused").Zip(Losses("declined")), pair =>
        {
            Assert.Equal(pair.First.Train, pair.Second.Train, tolerance: 1e-5);
            Assert.Equal(pair.First.Validation, pair.Second.Validation, tolerance: 1e-5);
        });
    }

    [CppFact]
    public async Task A_fused_convolution_that_has_run_once_and_then_fails_stops_the_training()
    {
        StripesDataset.Write(_folder, "data", perClass: 24, side: 16);
        // baseline's one convolution has fused 14 times by the 15th call (of about 13 an epoch here): a failure then is a fault, not a refusal.
        var failingLater = CudaStackOnCpu.Environment;
        failingLater["CUDA_ON_CPU_FAIL_FUSED"] = "2000:15";

        var (exit, output) = await CudaStackOnCpu.RunAsync(failingLater, "train", "--device", "cuda", "--metrics-listen", "none",
            "--data", _folder.Combine("data"), "--split-file", _folder.Combine("split.json"), "--runs-dir", _folder.Combine("runs"), "--name", "strict",
            "--model", "baseline", "--epochs", "2", "--image-size", "16", "--batch-size", "4");

        Assert.True(exit == 1, output);
        Assert.Contains("cudnnConvolutionBiasActivationForward failed with BadParam (2000)", output);
    }

    public void Dispose() => _folder.Dispose();

    private static Task<(int Exit, string Output)> Selftest(IReadOnlyDictionary<string, string> environment, string precision, params string[] options) =>
        CudaStackOnCpu.RunAsync(environment, ["selftest", "--device", "cuda", "--precision", precision,
            "--model", "compact", "--steps", "20", "--batch", "8", "--image-size", "16", .. options]);

    /// <summary>The ops of the self-test's table marked FAIL.</summary>
    private static string[] FailedOps(string output) =>
        Regex.Matches(output, @"^(.+?)\s+\S+\s+\S+\s+FAIL\s", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToArray();

    /// <summary>The stack's counts (CUDA_ON_CPU_COUNTS, tests/cuda-on-cpu/README.md) over a whole `bench model` run of <paramref name="steps"/> timed steps, with <paramref name="options"/>.</summary>
    private Task<Dictionary<string, long>> CountsAfter(int steps, params string[] options) => CountsAfter(CudaStackOnCpu.Environment, steps, options);

    /// <summary>As <see cref="CountsAfter(int, string[])"/>, in <paramref name="environment"/>.</summary>
    private async Task<Dictionary<string, long>> CountsAfter(Dictionary<string, string> environment, int steps, params string[] options)
    {
        var file = _folder.Combine($"counts-{Guid.NewGuid():N}.txt");
        environment["CUDA_ON_CPU_COUNTS"] = file;
        var (exit, output) = await CudaStackOnCpu.RunAsync(environment, ["bench", "model", "--device", "cuda", "--model", "compact",
            "--batch", "4", "--image-size", "16", "--warmup", "2", "--steps", steps.ToString(CultureInfo.InvariantCulture), .. options]);
        Assert.True(exit == 0, output);
        return File.ReadAllLines(file).Select(line => line.Split(' ')).ToDictionary(parts => parts[0], parts => long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>The utilization.gpu column of the run's gpu.csv, in percent.</summary>
    private List<int> Utilization(string run)
    {
        var lines = File.ReadAllLines(_folder.Combine("runs", run, "gpu.csv"));
        var column = Array.IndexOf(lines[0].Split(", "), "utilization.gpu [%]");
        return [.. lines.Skip(1).Select(line => int.Parse(line.Split(", ")[column].TrimEnd('%', ' '), CultureInfo.InvariantCulture))];
    }

    /// <summary>Each epoch's training and validation loss from the run's metrics.csv.</summary>
    private List<(double Train, double Validation)> Losses(string run)
    {
        var lines = File.ReadAllLines(_folder.Combine("runs", run, "metrics.csv"));
        var header = lines[0].Split(',');
        var (train, validation) = (Array.IndexOf(header, "train_loss"), Array.IndexOf(header, "val_loss"));
        return [.. lines.Skip(1).Select(line => line.Split(','))
            .Select(cells => (double.Parse(cells[train], CultureInfo.InvariantCulture), double.Parse(cells[validation], CultureInfo.InvariantCulture)))];
    }
}
