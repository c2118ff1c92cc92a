// Just enough of CUDA C++ for Kernels.cu to compile with g++ and run on the CPU, for tests on
// machines without a GPU. A block's threads are fibers on the launching thread: each
// runs until it reaches __syncthreads, a warp shuffle or its end, and a barrier opens once every
// thread still running has reached it, as on a device, where an exited thread no longer counts.
// Blocks run one after another, so no kernel may rely on blocks running together (a later
// kernel on the stream is how blocks combine their results); threads waiting on barriers no thread can reach are
// reported as a failed launch, while a spin on global memory would never end. Fibers
// make a launch deterministic and cheap: no OS thread per CUDA thread, and (unlike ucontext's
// swapcontext, which changes the signal mask by system call) no system call per switch.
#pragma once
#if !defined(__x86_64__)
#error "cuda_on_cpu.h switches fiber stacks with x86-64 assembly"
#endif
#include <math.h>
#include <cstdint>
#include <cstring>
#include <vector>

struct dim3
{
    unsigned x = 1, y = 1, z = 1;
};

namespace cuda_on_cpu
{
constexpr unsigned warp_size = 32;
constexpr unsigned max_threads = 1024;

enum class fiber_state
{
    runnable,
    at_block_barrier,
    at_warp_barrier,
    finished,
};

// Saves the callee-saved registers on the current stack and its stack pointer in *save, then
// resumes the stack at `resume`, saved the same way (or laid out so by a fiber's start).
extern "C" void cuda_on_cpu_switch(void** save, void* resume);

struct fiber
{
    void* stack_pointer;
    fiber_state state = fiber_state::runnable;
};

// The running block: its threads, the scheduler they return to, and one exchange slot per lane.
struct block_state
{
    void* scheduler;
    std::vector<fiber> fibers;
    unsigned current = 0;
    std::uint64_t lanes[max_threads / warp_size][warp_size];
};

// The one launch that runs at a time (__shared__ arrays are function statics).
inline block_state* current_block;

// Leaves the running thread's fiber until its barrier opens.
inline void wait(fiber_state barrier)
{
    auto& block = *current_block;
    auto& self = block.fibers[block.current];
    self.state = barrier;
    cuda_on_cpu_switch(&self.stack_pointer, block.scheduler);
}
}

inline dim3 threadIdx;
inline dim3 blockIdx;
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
    cuda_on_cpu::wait(cuda_on_cpu::fiber_state::at_block_barrier);
}

template <class T>
T __shfl_down_sync(unsigned, T value, unsigned offset)
{
    static_assert(sizeof(T) <= sizeof(std::uint64_t), "a lane exchanges at most 64 bits");
    auto& block = *cuda_on_cpu::current_block;
    const unsigned lane = threadIdx.x % cuda_on_cpu::warp_size;
    const unsigned warp = threadIdx.x / cuda_on_cpu::warp_size;
    std::memcpy(&block.lanes[warp][lane], &value, sizeof(T));
    cuda_on_cpu::wait(cuda_on_cpu::fiber_state::at_warp_barrier);
    T result = value;
    if (lane + offset < cuda_on_cpu::warp_size && warp * cuda_on_cpu::warp_size + lane + offset < blockDim.x)
    {
        std::memcpy(&result, &block.lanes[warp][lane + offset], sizeof(T));
    }

    cuda_on_cpu::wait(cuda_on_cpu::fiber_state::at_warp_barrier);
    return result;
}
