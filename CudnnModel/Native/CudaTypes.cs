namespace CatsDogs.Model.Native;

// Layer 1: the enums and flags of cuda.h that CudaNative passes.

/// <summary><c>CUresult</c> (cuda.h): the codes this project names; any other value still round-trips.</summary>
internal enum CuResult
{
    Success = 0,
    InvalidValue = 1,
    OutOfMemory = 2,
    NotInitialized = 3,
    StubLibrary = 34,
    NoDevice = 100,
    InvalidDevice = 101,
    InvalidContext = 201,
    NotReady = 600,
    IllegalAddress = 700,
}

/// <summary><c>CUdevice_attribute</c> values used here (cuda.h).</summary>
internal enum CuDeviceAttribute
{
    MultiprocessorCount = 16,
    AsyncEngineCount = 40,
    ComputeCapabilityMajor = 75,
    ComputeCapabilityMinor = 76,
}

/// <summary><c>CUjit_option</c> values used here (cuda.h).</summary>
internal enum CuJitOption
{
    ErrorLogBuffer = 5,
    ErrorLogBufferSizeBytes = 6,
}

/// <summary>Flag values of cuda.h that this project passes.</summary>
internal static class CudaFlags
{
    /// <summary><c>CU_MEMHOSTALLOC_PORTABLE</c>: pinned for every context, not only the allocating one.</summary>
    public const uint HostAllocPortable = 0x01;

    /// <summary><c>CU_STREAM_NON_BLOCKING</c>: no implicit ordering with the legacy default stream.</summary>
    public const uint StreamNonBlocking = 0x1;

    /// <summary><c>CU_EVENT_BLOCKING_SYNC</c>: a host thread waiting for the event sleeps; the context's flag does not cover event waits.</summary>
    public const uint EventBlockingSync = 0x1;

    /// <summary><c>CU_EVENT_DISABLE_TIMING</c>: the cheapest event, for ordering only.</summary>
    public const uint EventDisableTiming = 0x2;

    /// <summary><c>CU_CTX_SCHED_BLOCKING_SYNC</c>: a host thread waiting on the device sleeps instead of spinning a core.</summary>
    public const uint ContextBlockingSync = 0x04;
}
