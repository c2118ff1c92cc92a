using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Tests.Model.Backends;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The backend-neutral op suite on the CUDA backend over the CUDA stack on the CPU, in this
/// process: the bindings, descriptors, algorithm choice, workspaces, GEMM transposes, streams and
/// kernels, each op against the float64 references. Strict FP32, as the suite's tolerances are
/// float32's (TF32 keeps 10 mantissa bits of each input).
/// </summary>
[NeedsCudaStackOnCpuInProcess]
public sealed class CudaStackOnCpuOpTests() : BackendOpTests(CudaStackOnCpuInProcess.Create(new CudaBackendOptions { Precision = Precision.Fp32 }));
