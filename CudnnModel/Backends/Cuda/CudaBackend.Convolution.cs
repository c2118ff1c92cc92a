using CatsDogs.Model.Native;
using static CatsDogs.Model.Backends.ShapeCheck;
using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Backends.Cuda;

// Convolutions through cuDNN: the fused forward pass with its fallback, both gradients, bias, and the plans that hold each shape's algorithms.
internal sealed partial class CudaBackend
{
    public void ConvolutionForward(Tensor x, Tensor w, Tensor? bias, Tensor y, int padding, bool relu)
    {
        var plan = Plan(x, w, y, padding);
        var workspace = _workspace.Reserve(plan.ForwardWorkspace);
        if (bias is not null && relu && plan.FusedForward != FusedForward.Declined)
        {
            // cuDNN's fused op writes the output once. alpha2 = 0: the z input is not read, so it may alias y.
            Same(new TensorShape(w.Shape.N, 1), bias.Shape);
            var output = Cuda(y).Address;
            var fused = _cudnn.TryConvolutionBiasActivationForward(alpha1: 1f, plan.X, Cuda(x).Address, plan.W, Cuda(w).Address,
                plan.ForwardConvolution, plan.ForwardAlgorithm, workspace, plan.ForwardWorkspace, alpha2: 0f, plan.Y, output,
                plan.Bias, Cuda(bias).Address, _relu, plan.Y, output);
            if (fused == CudnnStatus.Success || plan.FusedForward == FusedForward.Works)
            {
                ThrowIfFailed(fused, "cudnnConvolutionBiasActivationForward");
                plan.FusedForward = FusedForward.Works;
                return;
            }

            // Find measured the plain convolution, and cuDNN may refuse to fuse bias and ReLU with the
            // algorithm it chose in many ways: "not supported", but also bad-parameter and
            // runtime-compilation statuses for some shapes on sm_90. The unfused path computes the same.
            plan.FusedForward = FusedForward.Declined;
            DeclinedFusion(fused, x.Shape, w.Shape);
        }

        _cudnn.ConvolutionForward(alpha: 1f, plan.X, Cuda(x).Address, plan.W, Cuda(w).Address,
            plan.ForwardConvolution, plan.ForwardAlgorithm, workspace, plan.ForwardWorkspace, beta: 0f, plan.Y, Cuda(y).Address);
        if (bias is not null)
        {
            AddBias(y, bias);
        }

        if (relu)
        {
            ReluForward(y, y);
        }
    }

    /// <summary>Says once per backend that cuDNN declined a fusion, with its status and last error: what a first GPU run needs to know.</summary>
    private void DeclinedFusion(CudnnStatus status, TensorShape x, TensorShape w)
    {
        if (!_saidFusionDeclined)
        {
            _saidFusionDeclined = true;
            _log?.WriteLine($"cuDNN declined the fused convolution+bias+ReLU for input {x}, filters {w} with {status} ({(int)status}): {Explain(status)}; " +
                "such convolutions run unfused (convolution, then bias, then ReLU).");
        }
    }

    public void ConvolutionBackwardData(Tensor dy, Tensor w, Tensor dx, int padding)
    {
        var plan = Plan(dx, w, dy, padding);
        var workspace = _workspace.Reserve(plan.BackwardDataWorkspace);
        _cudnn.ConvolutionBackwardData(alpha: 1f, plan.W, Cuda(w).Address, plan.Y, Cuda(dy).Address,
            plan.BackwardDataConvolution, plan.BackwardDataAlgorithm, workspace, plan.BackwardDataWorkspace, beta: 0f, plan.X, Cuda(dx).Address);
    }

    public void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, int padding)
    {
        var plan = Plan(x, dw, dy, padding);
        var workspace = _workspace.Reserve(plan.BackwardFilterWorkspace);
        _cudnn.ConvolutionBackwardFilter(alpha: 1f, plan.X, Cuda(x).Address, plan.Y, Cuda(dy).Address,
            plan.BackwardFilterConvolution, plan.BackwardFilterAlgorithm, workspace, plan.BackwardFilterWorkspace, beta: 0f, plan.W, Cuda(dw).Address);
    }

    public void AddBias(Tensor y, Tensor bias)
    {
        Same(new TensorShape(y.Shape.C, 1), bias.Shape);
        Enter();
        _cudnn.AddTensor(alpha: 1f, _descriptors.ForChannels(y.Shape.C), Cuda(bias).Address, beta: 1f, _descriptors.For(y.Shape), Cuda(y).Address);
    }

    /// <summary>The residual sum is cudnnAddTensor without broadcasting, as <see cref="AddBias"/> is with it.</summary>
    public void Add(Tensor x, Tensor y)
    {
        Same(x.Shape, y.Shape);
        Enter();
        var descriptor = _descriptors.For(y.Shape);
        _cudnn.AddTensor(alpha: 1f, descriptor, Cuda(x).Address, beta: 1f, descriptor, Cuda(y).Address);
    }

    public void BiasBackward(Tensor dy, Tensor dbias)
    {
        Same(new TensorShape(dy.Shape.C, 1), dbias.Shape);
        Enter();
        _cudnn.ConvolutionBackwardBias(alpha: 1f, _descriptors.For(dy.Shape), Cuda(dy).Address, beta: 0f, _descriptors.ForChannels(dy.Shape.C), Cuda(dbias).Address);
    }

    private ConvolutionPlan Plan(Tensor x, Tensor w, Tensor y, int padding)
    {
        Require(w.Shape.H == w.Shape.W && w.Shape.C == x.Shape.C);
        Enter();
        var key = new ConvolutionKey(x.Shape, w.Shape, padding);
        if (!_plans.TryGetValue(key, out var plan))
        {
            plan = ConvolutionPlan.Create(_cudnn, key, _rule);
            _plans[key] = plan;
        }

        Same(plan.Output, y.Shape);
        return plan;
    }
}
