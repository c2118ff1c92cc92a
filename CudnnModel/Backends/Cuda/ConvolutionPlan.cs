using CatsDogs.Model.Native;
using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Backends.Cuda;

/// <summary>The shapes that decide a convolution's algorithms: one plan per key.</summary>
internal readonly record struct ConvolutionKey(TensorShape Input, TensorShape Filter, int Padding);

/// <summary>
/// Which algorithms the backend may use: which of the convolution algorithms cuDNN offers qualify
/// and how they are ranked, and (deterministic) which max pooling mode runs.
/// </summary>
internal readonly record struct AlgorithmRule(bool AllowTf32, bool Deterministic)
{
    /// <summary>cudnnDeterminism_t's CUDNN_DETERMINISTIC.</summary>
    private const int DeterministicResult = 1;

    /// <summary>
    /// Whether to rank by Find's timings. They vary from run to run, so two runs could pick different
    /// (each deterministic) algorithms and part; a deterministic rule takes cuDNN's heuristic ranking.
    /// </summary>
    public bool Timed => !Deterministic;

    public bool Allows(in CudnnAlgorithmPerformance result) =>
        // TF32 allows tensor cores on float32, never a conversion of the data to float16. Strict
        // float32 takes what cuDNN reports as FMA or as default math: the descriptor asked for FMA.
        (AllowTf32 ? result.MathType != CudnnMathType.TensorOpAllowConversion : result.MathType is CudnnMathType.Fma or CudnnMathType.Default)
        && (!Deterministic || result.Determinism == DeterministicResult);

    /// <summary>The math type a chosen algorithm runs with: its own, except that strict float32 always runs FMA.</summary>
    public CudnnMathType MathFor(in CudnnAlgorithmPerformance chosen) => AllowTf32 ? chosen.MathType : CudnnMathType.Fma;

    /// <summary>"deterministic strict float32 (FMA) ", say: what the rule asks of an algorithm, for an error.</summary>
    public string Describe() => $"{(Deterministic ? "deterministic " : "")}{(AllowTf32 ? "" : "strict float32 (FMA) ")}";
}

/// <summary>
/// Everything cuDNN needs for one convolution shape: descriptors, and for each of the three
/// passes the best algorithm that the rule (precision, determinism) allows and its workspace.
/// The algorithms are ranked once, when the shape is first seen: by cuDNN's Find, which runs each
/// candidate, or for a deterministic rule by its heuristics; each pass has its own convolution
/// descriptor because the chosen algorithms may differ in math type.
/// </summary>
internal sealed class ConvolutionPlan : IDisposable
{
    private ConvolutionPlan(ConvolutionKey key, TensorShape output, CudnnMathType searchMath)
    {
        Output = output;
        X = TensorDescriptor.Create(key.Input.N, key.Input.C, key.Input.H, key.Input.W);
        Y = TensorDescriptor.Create(output.N, output.C, output.H, output.W);
        W = FilterDescriptor.Create(key.Filter.N, key.Filter.C, key.Filter.H, key.Filter.W);
        Bias = TensorDescriptor.Create(1, key.Filter.N, 1, 1);
        ForwardConvolution = ConvolutionDescriptor.Create(key.Padding, searchMath);
        BackwardDataConvolution = ConvolutionDescriptor.Create(key.Padding, searchMath);
        BackwardFilterConvolution = ConvolutionDescriptor.Create(key.Padding, searchMath);
    }

    public TensorShape Output { get; }

    public TensorDescriptor X { get; }

    public TensorDescriptor Y { get; }

    public FilterDescriptor W { get; }

    /// <summary>1 x K x 1 x 1, for the bias of the fused forward pass.</summary>
    public TensorDescriptor Bias { get; }

    public ConvolutionDescriptor ForwardConvolution { get; }

    public ConvolutionDescriptor BackwardDataConvolution { get; }

    public ConvolutionDescriptor BackwardFilterConvolution { get; }

    public int ForwardAlgorithm { get; private set; }

    public int BackwardDataAlgorithm { get; private set; }

    public int BackwardFilterAlgorithm { get; private set; }

    public long ForwardWorkspace { get; private set; }

    public long BackwardDataWorkspace { get; private set; }

    public long BackwardFilterWorkspace { get; private set; }

    /// <summary>Whether cuDNN's fused conv+bias+ReLU has run for this shape's algorithm, or declined it; once declined, the forward pass runs unfused.</summary>
    public FusedForward FusedForward { get; set; }

    public long LargestWorkspace => Math.Max(ForwardWorkspace, Math.Max(BackwardDataWorkspace, BackwardFilterWorkspace));

    /// <summary>
    /// Builds the plan and chooses the algorithms. With TF32 off only strict float32 algorithms
    /// qualify; with it on, any math type does, as with PyTorch's cudnn.benchmark. A deterministic
    /// rule keeps only the algorithms cuDNN reports as deterministic, ranked as PyTorch does without
    /// cudnn.benchmark.
    /// </summary>
    public static ConvolutionPlan Create(CudnnHandle handle, ConvolutionKey key, AlgorithmRule rule)
    {
        var output = new TensorShape(key.Input.N, key.Filter.N,
            key.Input.H + 2 * key.Padding - key.Filter.H + 1, key.Input.W + 2 * key.Padding - key.Filter.W + 1);
        var plan = new ConvolutionPlan(key, output, rule.AllowTf32 ? CudnnMathType.Default : CudnnMathType.Fma);
        try
        {
            plan.ChooseAlgorithms(handle, rule);
            return plan;
        }
        catch
        {
            plan.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
        W.Dispose();
        Bias.Dispose();
        ForwardConvolution.Dispose();
        BackwardDataConvolution.Dispose();
        BackwardFilterConvolution.Dispose();
    }

    /// <summary>The results that succeeded and that the rule allows, best (fastest, or heuristically best) first; an error where there are none.</summary>
    internal static CudnnAlgorithmPerformance[] Candidates(ReadOnlySpan<CudnnAlgorithmPerformance> results, AlgorithmRule rule, string pass)
    {
        var allowed = new List<CudnnAlgorithmPerformance>();
        foreach (var result in results)
        {
            if (result.Status == CudnnStatus.Success && rule.Allows(result))
            {
                allowed.Add(result);
            }
        }

        return allowed.Count > 0
            ? [.. allowed]
            : throw new CudnnException((int)CudnnStatus.NotSupported,
                $"cuDNN offers no {rule.Describe()}algorithm for the {pass} pass of this convolution ({results.Length} {(rule.Timed ? "measured" : "ranked")}).");
    }

    private void ChooseAlgorithms(CudnnHandle handle, AlgorithmRule rule)
    {
        (ForwardAlgorithm, ForwardWorkspace) = Search(new ConvolutionPass(handle, ConvolutionDirection.Forward, X, W, ForwardConvolution, Y), rule);
        (BackwardDataAlgorithm, BackwardDataWorkspace) =
            Search(new ConvolutionPass(handle, ConvolutionDirection.BackwardData, X, W, BackwardDataConvolution, Y), rule);
        (BackwardFilterAlgorithm, BackwardFilterWorkspace) =
            Search(new ConvolutionPass(handle, ConvolutionDirection.BackwardFilter, X, W, BackwardFilterConvolution, Y), rule);
    }

    /// <summary>
    /// One pass: rank every algorithm cuDNN has for it (timed by Find, or by the heuristics for a
    /// deterministic rule), then take the best allowed one whose workspace cuDNN can size, with its
    /// math type set. The heuristics' picks are untried, so one that cuDNN then declines as not
    /// supported gives way to the next; any other failure, or the last one's, is the error.
    /// </summary>
    private static (int Algorithm, long Workspace) Search(ConvolutionPass pass, AlgorithmRule rule)
    {
        var results = new CudnnAlgorithmPerformance[Math.Max(pass.AlgorithmMaxCount(), 1)];
        var returned = pass.RankAlgorithms(rule.Timed, results);
        var candidates = Candidates(results.AsSpan(0, returned), rule, pass.Name);
        for (var i = 0; ; i++)
        {
            var candidate = candidates[i];
            pass.Convolution.SetMathType(rule.MathFor(candidate));
            var status = pass.TryWorkspaceSize(candidate.Algorithm, out var bytes);
            if (!status.IsNotSupported() || i == candidates.Length - 1)
            {
                ThrowIfFailed(status, $"{pass.WorkspaceSizeCall} of algorithm {candidate.Algorithm} ({i + 1} of {candidates.Length} allowed)");
                return (candidate.Algorithm, bytes);
            }
        }
    }
}
