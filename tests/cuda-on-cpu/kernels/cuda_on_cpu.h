// Just enough of CUDA C++ for Kernels.cu to compile with g++ and run on the CPU, for tests on
// machines without a GPU. A block's threads are fibers on the launching thread: each
// runs until it reaches __syncthreads, a warp shuffle or its end, and a barrier opens once every
// thread still running has reached it, as on a device, where an exited thread no longer counts;
// a warp shuffle waits for the running lanes its mask names, and only for them. Blocks run one after
// another, so no kernel may rely on blocks running together (a later kernel on the stream is how
// blocks combine their results); threads waiting on barriers no thread can reach are reported as
// a failed launch, while a spin on global memory would never end. Shared memory reads as NaN at
// the start of each block, as on a device it holds whatever was there. Fibers make a launch
// deterministic and cheap: no OS thread per CUDA thread, and (unlike ucontext's swapcontext,
// which changes the signal mask by system call) no system call per switch.
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
    // Did something a device leaves undefined; never resumed, and the launch fails.
    faulted,
};

// Saves the callee-saved registers on the current stack and its stack pointer in *save, then
// resumes the stack at `resume`, saved the same way (or laid out so by a fiber's start).
extern "C" void cuda_on_cpu_switch(void** save, void* resume);

struct fiber
{
    void* stack_pointer;
    fiber_state state = fiber_state::runnable;
    // At a warp barrier: the lanes of its warp that the barrier waits for (a shuffle's mask).
    unsigned mask = 0;
};

// The running block: its threads, the scheduler they return to, one exchange slot per lane, and
// what the first faulted thread did.
struct block_state
{
    void* scheduler;
    std::vector<fiber> fibers;
    unsigned current = 0;
    std::uint64_t lanes[max_threads / warp_size][warp_size];
    const char* fault = nullptr;
};

// The one launch that runs at a time (__shared__ arrays are function statics).
inline block_state* current_block;

// Leaves the running thread's fiber until its barrier opens (for a warp barrier, once every lane of `mask` waits with that mask).
inline void wait(fiber_state barrier, unsigned mask = 0)
{
    auto& block = *current_block;
    auto& self = block.fibers[block.current];
    self.state = barrier;
    self.mask = mask;
    cuda_on_cpu_switch(&self.stack_pointer, block.scheduler);
}

// Ends the running thread for good: it did something whose result a device leaves undefined.
[[noreturn]] inline void fault(const char* what)
{
    auto& block = *current_block;
    auto& self = block.fibers[block.current];
    if (block.fault == nullptr)
    {
        block.fault = what;
    }

    self.state = fiber_state::faulted;
    cuda_on_cpu_switch(&self.stack_pointer, block.scheduler);
    __builtin_unreachable();
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
// Blocks run one at a time, so one static array per kernel is the running block's shared memory;
// they share a section, which the launcher fills with NaN before each block (kernel_host.cpp).
#define __shared__ static __attribute__((section("cuda_on_cpu_shared")))

inline void __syncthreads()
{
    cuda_on_cpu::wait(cuda_on_cpu::fiber_state::at_block_barrier);
}

// The lanes of `mask` exchange values once each of them still running has arrived with that
// mask; a lane outside it neither waits nor is waited for. As on a device, a value read from a
// lane that the mask leaves out, or that has exited, is undefined: here all bits set (NaN for a
// float), as memory nobody wrote. A calling lane that its own mask leaves out fails the launch.
template <class T>
T __shfl_down_sync(unsigned mask, T value, unsigned offset)
{
    static_assert(sizeof(T) <= sizeof(std::uint64_t), "a lane exchanges at most 64 bits");
    auto& block = *cuda_on_cpu::current_block;
    const unsigned lane = threadIdx.x % cuda_on_cpu::warp_size;
    const unsigned warp = threadIdx.x / cuda_on_cpu::warp_size;
    if ((mask >> lane & 1u) == 0)
    {
        cuda_on_cpu::fault("a thread called __shfl_down_sync with a mask that leaves out its own lane");
    }

    std::memcpy(&block.lanes[warp][lane], &value, sizeof(T));
    cuda_on_cpu::wait(cuda_on_cpu::fiber_state::at_warp_barrier, mask);
    T result = value;
    const unsigned source = lane + offset;
    if (source < cuda_on_cpu::warp_size)
    {
        const unsigned thread = warp * cuda_on_cpu::warp_size + source;
        if ((mask >> source & 1u) != 0 && thread < blockDim.x && block.fibers[thread].state != cuda_on_cpu::fiber_state::finished)
        {
            std::memcpy(&result, &block.lanes[warp][source], sizeof(T));
        }
        else
        {
            std::memset(&result, 0xFF, sizeof(T));
        }
    }

    cuda_on_cpu::wait(cuda_on_cpu::fiber_state::at_warp_barrier, mask);
    return result;
}
