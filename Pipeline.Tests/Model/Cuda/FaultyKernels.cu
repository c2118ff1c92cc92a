// Kernels with the faults a GPU would show and the CUDA stack on the CPU must catch, each with a
// parameter that turns the fault off, so a test can show that the fault alone fails the launch.
// CudaStackOnCpuStreamTests builds the stack with this source appended to Kernels.cu, whose
// GRID_STRIDE it uses, and launches them by name.

// y[i + shift] = 1 for i < n: writes one float past y's end when shift is 1, one before its start when -1.
extern "C" __global__ void write_shifted(float* y, int n, int shift)
{
    GRID_STRIDE(i, n)
    {
        y[i + shift] = 1.0f;
    }
}

// One block: each thread writes its index to shared memory and returns its right-hand
// neighbour's, with or without the barrier that makes the neighbour's write come first.
extern "C" __global__ void read_neighbour(float* y, int synchronise)
{
    __shared__ float slots[1024];
    const unsigned t = threadIdx.x;
    slots[t] = (float)t;
    if (synchronise)
    {
        __syncthreads();
    }

    y[t] = slots[(t + 1) % blockDim.x];
}

// One warp: the lanes of `active` sum x down the warp with shuffles, halving the offset from
// `first_offset`, the lanes of `mask` under `mask` and the others under `others` (two groups that
// shuffle apart, when others is ~mask); the lanes outside `active` return at once. y[0] = lane 0's sum.
extern "C" __global__ void warp_sum(const float* x, float* y, unsigned active, unsigned mask, unsigned others, int first_offset)
{
    const unsigned lane = threadIdx.x;
    if ((active >> lane & 1u) == 0)
    {
        return;
    }

    const unsigned group = (mask >> lane & 1u) != 0 ? mask : others;
    float s = x[lane];
    for (int offset = first_offset; offset > 0; offset >>= 1)
    {
        s += __shfl_down_sync(group, s, offset);
    }

    if (lane == 0)
    {
        y[0] = s;
    }
}

#define EXTRA_KERNELS KERNEL(write_shifted), KERNEL(read_neighbour), KERNEL(warp_sum),
