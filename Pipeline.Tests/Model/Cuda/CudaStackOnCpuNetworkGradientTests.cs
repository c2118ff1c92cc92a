using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Tests.Model.Training;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// Every preset's gradients on the CUDA backend over the CUDA stack on the CPU, in this process,
/// against float64 finite differences: cuDNN's in-place ReLU backward, its batch norm and pooling,
/// cuBLAS's dense products and the dropout kernel, chained as a network chains them. Strict FP32,
/// as the check's tolerance is float32's.
/// </summary>
[NeedsCudaStackOnCpuInProcess]
public sealed class CudaStackOnCpuNetworkGradientTests() : NetworkGradientTests(CudaStackOnCpuInProcess.Create(new CudaBackendOptions { Precision = Precision.Fp32 }));
