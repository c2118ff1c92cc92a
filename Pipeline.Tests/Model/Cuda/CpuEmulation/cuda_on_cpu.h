// Just enough of CUDA C++ for Kernels.cu to compile with g++ and run on the CPU, for tests on
// machines without a GPU. A launch runs the threads of a block as real threads, so that
// __syncthreads, __shared__ memory and warp shuffles synchronise as on a device, and runs the
// blocks one after another: a kernel that relied on blocks running together would hang here,
// and none may (atomicAdd is how blocks combine their results).
#pragma once
#include <math.h>
#include <algorithm>
#include <barrier>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>

struct dim3
{
    unsigned x = 1, y = 1, z = 1;
};

namespace cuda_on_cpu
{
constexpr unsigned warp_size = 32;
constexpr unsigned max_threads = 1024;

// What the threads of the running block share: the block's barrier, each warp's barrier (sized
// to the threads the warp really has) and one exchange slot per lane. A thread that returns
// leaves both barriers, as an exited thread no longer counts on a device.
struct block_state
{
    explicit block_state(unsigned threads) : block(threads)
    {
        for (unsigned w = 0; w * warp_size < threads; w++)
        {
            warp_barriers[w] = std::make_unique<std::barrier<>>(std::min(warp_size, threads - w * warp_size));
        }
    }

    std::barrier<> block;
    std::unique_ptr<std::barrier<>> warp_barriers[max_threads / warp_size];
    std::uint64_t lanes[max_threads / warp_size][warp_size];
};

// Globals of the one launch that runs at a time (__shared__ arrays are function statics, so
// launches must not overlap): `launches` serialises them across every library built from this.
inline std::mutex launches;
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
    static_assert(sizeof(T) <= sizeof(std::uint64_t), "a lane exchanges at most 64 bits");
    auto& block = *cuda_on_cpu::current_block;
    const unsigned lane = threadIdx.x % cuda_on_cpu::warp_size;
    const unsigned warp = threadIdx.x / cuda_on_cpu::warp_size;
    std::memcpy(&block.lanes[warp][lane], &value, sizeof(T));
    block.warp_barriers[warp]->arrive_and_wait();
    T result = value;
    if (lane + offset < cuda_on_cpu::warp_size && warp * cuda_on_cpu::warp_size + lane + offset < blockDim.x)
    {
        std::memcpy(&result, &block.lanes[warp][lane + offset], sizeof(T));
    }

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
