// Kernels.cu behind a cuLaunchKernel-shaped entry point, so that a test drives the kernels through
// CudaKernels' own argument packing: kernelParams holds one pointer per parameter, to a value of
// the parameter's C type. KERNELS_SOURCE names the Kernels.cu to compile (the embedded copy).
#include "cuda_on_cpu.h"
#include <atomic>
#include <cstring>
#include <latch>
#include <thread>
#include <utility>
#include <vector>
#include KERNELS_SOURCE

namespace
{
template <class... Args>
void invoke(void (*kernel)(Args...), void** params)
{
    [&]<std::size_t... I>(std::index_sequence<I...>)
    {
        kernel(*static_cast<Args*>(params[I])...);
    }(std::index_sequence_for<Args...>{});
}

struct kernel_entry
{
    const char* name;
    void (*thunk)(void** params);
};

#define KERNEL(name) kernel_entry{#name, [](void** params) { invoke(name, params); }}
const kernel_entry kernels[] = {
    KERNEL(load_images), KERNEL(sigmoid_bce), KERNEL(sigmoid), KERNEL(dropout), KERNEL(sgd_update),
    KERNEL(adamw_update), KERNEL(squared_norm), KERNEL(clip_factor), KERNEL(gap_forward), KERNEL(gap_backward),
};

constexpr int cuda_success = 0;
constexpr int cuda_error_invalid_value = 1;
constexpr int cuda_error_out_of_resources = 701;
constexpr int cuda_error_not_found = 500;

// Runs one block. Its threads start together once all exist; if one cannot be started, those
// that were wait for nothing and exit without touching the block's barriers.
int run_block(const kernel_entry& kernel, void** params, unsigned block_index, unsigned threads)
{
    cuda_on_cpu::block_state block(threads);
    cuda_on_cpu::current_block = &block;
    std::latch started(1);
    std::atomic<bool> abandoned = false;
    std::vector<std::jthread> workers;
    try
    {
        workers.reserve(threads);
        for (unsigned t = 0; t < threads; t++)
        {
            workers.emplace_back([&, t]
            {
                started.wait();
                if (abandoned)
                {
                    return;
                }

                blockIdx = {block_index, 0, 0};
                threadIdx = {t, 0, 0};
                kernel.thunk(params);
                block.warp_barriers[t / cuda_on_cpu::warp_size]->arrive_and_drop();
                block.block.arrive_and_drop();
            });
        }
    }
    catch (...)
    {
        abandoned = true;
        started.count_down();
        return cuda_error_out_of_resources;
    }

    started.count_down();
    return cuda_success;
}
}

extern "C" int emu_function(const void** function, const char* name)
{
    for (const auto& kernel : kernels)
    {
        if (std::strcmp(kernel.name, name) == 0)
        {
            *function = &kernel;
            return cuda_success;
        }
    }

    return cuda_error_not_found;
}

extern "C" int emu_launch(const void* function, unsigned grid_x, unsigned grid_y, unsigned grid_z, unsigned block_x, unsigned block_y,
    unsigned block_z, unsigned shared_bytes, void*, void** params, void** extra)
{
    // The kernels are one-dimensional and declare their shared memory statically.
    if (grid_y != 1 || grid_z != 1 || block_y != 1 || block_z != 1 || shared_bytes != 0 || extra != nullptr || grid_x == 0
        || block_x == 0 || block_x > cuda_on_cpu::max_threads || function == nullptr)
    {
        return cuda_error_invalid_value;
    }

    std::lock_guard one_at_a_time(cuda_on_cpu::launches);
    const auto& kernel = *static_cast<const kernel_entry*>(function);
    gridDim = {grid_x, 1, 1};
    blockDim = {block_x, 1, 1};
    for (unsigned b = 0; b < grid_x; b++)
    {
        if (const int status = run_block(kernel, params, b, block_x); status != cuda_success)
        {
            return status;
        }
    }

    return cuda_success;
}
