// Just enough of CUDA C++ for Kernels.cu to compile with g++ and run on the CPU, for tests on
// machines without a GPU. A launch runs the threads of a block as real threads, so that
// __syncthreads, __shared__ memory and warp shuffles synchronise as on a device, and runs the
// blocks one after another: a kernel that relied on blocks running together would hang here,
// and none may (atomicAdd is how blocks combine their results).
#pragma once
#include <math.h>
#include <barrier>
#include <memory>
#include <mutex>

struct dim3
{
    unsigned x = 1, y = 1, z = 1;
};

namespace cuda_on_cpu
{
constexpr unsigned warp_size = 32;

// What every thread of the running block shares: its barrier, and one exchange slot per lane.
struct block_state
{
    explicit block_state(unsigned threads) : block(threads), warps((threads + warp_size - 1) / warp_size)
    {
        for (unsigned w = 0; w < warps; w++)
        {
            warp_barriers[w] = std::make_unique<std::barrier<>>(warp_size);
        }
    }

    std::barrier<> block;
    unsigned warps;
    std::unique_ptr<std::barrier<>> warp_barriers[32];
    double lanes[32][warp_size];
};

inline block_state* current_block;
inline std::mutex atomics;
}

inline thread_local dim3 threadIdx;
inline thread_local dim3 blockIdx;
inline dim3 blockDim;
inline dim3 gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(threads)
// Blocks run one at a time, so one static array per kernel is the running block's shared memory.
#define __shared__ static

inline void __syncthreads()
{
    cuda_on_cpu::current_block->block.arrive_and_wait();
}

template <class T>
T __shfl_down_sync(unsigned, T value, unsigned offset)
{
    auto& block = *cuda_on_cpu::current_block;
    const unsigned lane = threadIdx.x % cuda_on_cpu::warp_size;
    const unsigned warp = threadIdx.x / cuda_on_cpu::warp_size;
    block.lanes[warp][lane] = value;
    block.warp_barriers[warp]->arrive_and_wait();
    const T result = lane + offset < cuda_on_cpu::warp_size ? static_cast<T>(block.lanes[warp][lane + offset]) : value;
    block.warp_barriers[warp]->arrive_and_wait();
    return result;
}

inline float atomicAdd(float* address, float value)
{
    std::lock_guard lock(cuda_on_cpu::atomics);
    const float old = *address;
    *address = old + value;
    return old;
}
