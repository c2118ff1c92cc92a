// Kernels.cu built for the CPU, bound to launches as the driver stand-in receives them
// (kernelParams holds one pointer per parameter, to a value of the parameter's C type).
// KERNELS_SOURCE names the Kernels.cu to compile; a test's source may add kernels of its own to
// the table by defining EXTRA_KERNELS as a list of KERNEL(name) entries.
#include "kernel_host.h"
#include "../stack/runtime.h"
#include "cuda_on_cpu.h"
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <numeric>
#include <ranges>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>
#include KERNELS_SOURCE

// cuda_on_cpu_switch (System V x86-64): rbx, rbp and r12-r15 are the registers a call preserves.
asm(R"(
    .pushsection .text
    .globl cuda_on_cpu_switch
    .hidden cuda_on_cpu_switch
    .type cuda_on_cpu_switch, @function
cuda_on_cpu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size cuda_on_cpu_switch, .-cuda_on_cpu_switch
    .popsection
)");

namespace
{
// A non-null pointer argument: the kernel may read or write at least one element there.
struct pointer_argument
{
    std::size_t index;
    std::uint64_t address;
    std::size_t element_bytes;
};

struct bound_kernel
{
    std::function<void()> run;
    std::vector<pointer_argument> pointers;
};

// The argument values, copied out of kernelParams: the caller's locals may be gone when the grid runs.
template <class... Args>
bound_kernel bind_arguments(void (*kernel)(Args...), void** params)
{
    return [&]<std::size_t... I>(std::index_sequence<I...>)
    {
        std::tuple<Args...> arguments(*static_cast<Args*>(params[I])...);
        std::vector<pointer_argument> pointers;
        (
            [&]
            {
                if constexpr (std::is_pointer_v<Args>)
                {
                    if (std::get<I>(arguments) != nullptr)
                    {
                        pointers.push_back({I, reinterpret_cast<std::uint64_t>(std::get<I>(arguments)), sizeof(std::remove_pointer_t<Args>)});
                    }
                }
            }(),
            ...);
        return bound_kernel{[kernel, arguments] { std::apply(kernel, arguments); }, std::move(pointers)};
    }(std::index_sequence_for<Args...>{});
}

struct kernel_entry
{
    const char* name;
    bound_kernel (*bind)(void** params);
};

#ifndef EXTRA_KERNELS
#define EXTRA_KERNELS
#endif
#define KERNEL(name) kernel_entry{#name, [](void** params) { return bind_arguments(name, params); }}
const kernel_entry kernels[] = {
    KERNEL(load_images), KERNEL(sigmoid_bce), KERNEL(sigmoid), KERNEL(dropout), KERNEL(sgd_update),
    KERNEL(adamw_update), KERNEL(squared_norm_partials), KERNEL(add_partials), KERNEL(clip_factor), KERNEL(gap_forward), KERNEL(gap_backward),
    EXTRA_KERNELS
};

// The section of every __shared__ array (cuda_on_cpu.h), which the linker bounds with these.
extern "C" __attribute__((weak, visibility("hidden"))) char __start_cuda_on_cpu_shared[];
extern "C" __attribute__((weak, visibility("hidden"))) char __stop_cuda_on_cpu_shared[];

constexpr std::size_t fiber_stack_bytes = 64 * 1024;

// Stacks for the fibers, kept across launches.
std::vector<std::unique_ptr<char[]>> stacks;
const bound_kernel* running_kernel;

// A kernel that throws ends the process (std::terminate): a fiber has nowhere to unwind to.
[[noreturn]] void fiber_entry() noexcept
{
    auto& block = *cuda_on_cpu::current_block;
    running_kernel->run();
    auto& self = block.fibers[block.current];
    self.state = cuda_on_cpu::fiber_state::finished;
    cuda_on_cpu::cuda_on_cpu_switch(&self.stack_pointer, block.scheduler);
    __builtin_unreachable();
}

// A fresh stack that cuda_on_cpu_switch resumes into fiber_entry: six zeroed callee-saved
// registers, then fiber_entry as the return address, placed so that fiber_entry starts with the
// stack aligned as after a call (rsp + 8 a multiple of 16).
void* start_on(char* stack)
{
    auto top = reinterpret_cast<std::uintptr_t>(stack + fiber_stack_bytes) & ~std::uintptr_t{15};
    auto* slots = reinterpret_cast<std::uintptr_t*>(top - 16);
    slots[0] = reinterpret_cast<std::uintptr_t>(&fiber_entry);
    slots[1] = 0;
    slots -= 6;
    std::fill_n(slots, 6, std::uintptr_t{0});
    return slots;
}

// Opens the barriers that every thread they wait for has reached; false when none can open
// though threads still wait: they wait on each other's barriers for ever. A block barrier waits
// for every thread still running; a warp barrier for the running lanes of its mask, each of which
// must wait there with the same mask.
bool open_barriers(cuda_on_cpu::block_state& block)
{
    using cuda_on_cpu::fiber_state;
    bool opened = false;
    const auto threads = static_cast<unsigned>(block.fibers.size());
    for (unsigned t = 0; t < threads; t++)
    {
        const auto& waiting = block.fibers[t];
        if (waiting.state != fiber_state::at_warp_barrier)
        {
            continue;
        }

        const unsigned first = t - t % cuda_on_cpu::warp_size;
        const unsigned mask = waiting.mask;
        const auto waits_with_it = [&](unsigned lane)
        {
            if ((mask >> lane & 1u) == 0 || first + lane >= threads)
            {
                return true;
            }

            const auto& other = block.fibers[first + lane];
            return other.state == fiber_state::finished || (other.state == fiber_state::at_warp_barrier && other.mask == mask);
        };
        if (std::ranges::all_of(std::views::iota(0u, cuda_on_cpu::warp_size), waits_with_it))
        {
            for (unsigned lane = 0; lane < cuda_on_cpu::warp_size && first + lane < threads; lane++)
            {
                auto& other = block.fibers[first + lane];
                if ((mask >> lane & 1u) != 0 && other.state == fiber_state::at_warp_barrier)
                {
                    other.state = fiber_state::runnable;
                }
            }

            opened = true;
        }
    }

    const bool all_there = std::ranges::all_of(block.fibers, [](const auto& f) { return f.state == fiber_state::at_block_barrier || f.state == fiber_state::finished; });
    const bool any_there = std::ranges::any_of(block.fibers, [](const auto& f) { return f.state == fiber_state::at_block_barrier; });
    if (all_there && any_there)
    {
        for (auto& f : block.fibers)
        {
            if (f.state == fiber_state::at_block_barrier)
            {
                f.state = fiber_state::runnable;
            }
        }

        opened = true;
    }

    return opened;
}

// Runs one block, switching to its runnable threads in ascending or descending order of index.
int run_block(unsigned block_index, unsigned threads, bool descending, std::string& why)
{
    cuda_on_cpu::block_state block;
    cuda_on_cpu::current_block = &block;
    block.fibers.resize(threads);
    for (unsigned t = 0; t < threads; t++)
    {
        block.fibers[t].stack_pointer = start_on(stacks[t].get());
    }

    // What the previous block left in shared memory is no value this one may read. (A source
    // without __shared__ arrays has no such section: the weak bounds are then null.)
    if (__start_cuda_on_cpu_shared != nullptr)
    {
        std::memset(__start_cuda_on_cpu_shared, 0xFF, static_cast<std::size_t>(__stop_cuda_on_cpu_shared - __start_cuda_on_cpu_shared));
    }
    blockIdx = {block_index, 0, 0};
    for (;;)
    {
        for (unsigned i = 0; i < threads; i++)
        {
            const unsigned t = descending ? threads - 1 - i : i;
            if (block.fibers[t].state == cuda_on_cpu::fiber_state::runnable)
            {
                block.current = t;
                threadIdx = {t, 0, 0};
                cuda_on_cpu::cuda_on_cpu_switch(&block.scheduler, block.fibers[t].stack_pointer);
            }
        }

        if (block.fault != nullptr)
        {
            why = block.fault;
            return kernels_on_cpu::launch_failed;
        }

        if (std::ranges::all_of(block.fibers, [](const auto& f) { return f.state == cuda_on_cpu::fiber_state::finished; }))
        {
            return kernels_on_cpu::success;
        }

        if (!open_barriers(block))
        {
            why = "its threads wait on barriers that no thread will reach";
            return kernels_on_cpu::launch_failed;
        }
    }
}

// Runs the grid's blocks in `order`, each block's threads ascending or descending.
int run_grid(std::span<const unsigned> order, unsigned threads, bool descending, std::string& why)
{
    for (const unsigned b : order)
    {
        if (const int status = run_block(b, threads, descending, why); status != kernels_on_cpu::success)
        {
            return status;
        }
    }

    return kernels_on_cpu::success;
}

// Copies of the device memory a kernel's pointer arguments lead into, one per allocation.
struct memory_snapshot
{
    std::vector<std::span<std::byte>> allocations;
    std::vector<std::vector<std::byte>> contents;

    explicit memory_snapshot(const std::vector<pointer_argument>& pointers)
    {
        for (const auto& pointer : pointers)
        {
            const auto memory = stand_in::device_allocation_at(pointer.address);
            if (std::ranges::none_of(allocations, [&](const auto& known) { return known.data() == memory.data(); }))
            {
                allocations.push_back(memory);
                contents.emplace_back(memory.begin(), memory.end());
            }
        }
    }

    void restore() const
    {
        for (std::size_t i = 0; i < allocations.size(); i++)
        {
            std::ranges::copy(contents[i], allocations[i].begin());
        }
    }

    bool matches_memory() const
    {
        for (std::size_t i = 0; i < allocations.size(); i++)
        {
            if (!std::ranges::equal(contents[i], allocations[i]))
            {
                return false;
            }
        }

        return true;
    }
};
}

const void* kernels_on_cpu::find(const char* name)
{
    for (const auto& kernel : kernels)
    {
        if (std::strcmp(kernel.name, name) == 0)
        {
            return &kernel;
        }
    }

    return nullptr;
}

int kernels_on_cpu::bind(const void* function, unsigned grid_x, unsigned grid_y, unsigned grid_z, unsigned block_x, unsigned block_y,
    unsigned block_z, unsigned shared_bytes, void** params, void** extra, std::function<int(std::string&)>& launch)
{
    // The kernels are one-dimensional and declare their shared memory statically.
    if (grid_y != 1 || grid_z != 1 || block_y != 1 || block_z != 1 || shared_bytes != 0 || extra != nullptr || grid_x == 0
        || block_x == 0 || block_x > cuda_on_cpu::max_threads || function == nullptr || params == nullptr)
    {
        return invalid_value;
    }

    const auto* entry = static_cast<const kernel_entry*>(function);
    launch = [kernel = entry->bind(params), name = std::string(entry->name), grid_x, block_x](std::string& why)
    {
        // Extents are the kernel's business (n, plane, ...); that each pointer leads into live device
        // memory when the grid runs is checked here, as a GPU would fault on a host or freed address.
        // Writes outside that memory change the guard zones around it (runtime.h).
        for (const auto& pointer : kernel.pointers)
        {
            const auto what = name + " argument " + std::to_string(pointer.index);
            if (!stand_in::device_range(pointer.address, pointer.element_bytes, what.c_str()))
            {
                return illegal_address;
            }
        }

        // The globals of cuda_on_cpu.h (the running block, threadIdx) serve one launch at a time.
        static std::mutex one_at_a_time;
        std::lock_guard lock(one_at_a_time);
        try
        {
            while (stacks.size() < block_x)
            {
                stacks.push_back(std::make_unique<char[]>(fiber_stack_bytes));
            }
        }
        catch (const std::bad_alloc&)
        {
            return out_of_resources;
        }

        running_kernel = &kernel;
        gridDim = {grid_x, 1, 1};
        blockDim = {block_x, 1, 1};
        // A GPU runs blocks in no set order, nor the threads of a block. So the grid runs twice
        // from the same memory: first its blocks in a new random order each launch and each
        // block's threads by ascending index, then both orders reversed, which turns round every
        // pair of threads and of blocks. A result that depends on either order (threads that share
        // data without __syncthreads, floats summed across blocks as they finish) differs between
        // the two runs, and the launch fails, as such a kernel would give varying answers there.
        std::vector<unsigned> order(grid_x);
        std::iota(order.begin(), order.end(), 0u);
        std::ranges::shuffle(order, stand_in::open_order());
        const memory_snapshot before(kernel.pointers);
        if (const int status = run_grid(order, block_x, false, why); status != success)
        {
            why = name + ": " + why;
            return status;
        }

        const memory_snapshot first(kernel.pointers);
        before.restore();
        std::ranges::reverse(order);
        if (const int status = run_grid(order, block_x, true, why); status != success)
        {
            why = name + ": " + why;
            return status;
        }

        if (!first.matches_memory())
        {
            why = name + ": its result depends on the order in which its threads or blocks run (a race)";
            return launch_failed;
        }

        return stand_in::guards_intact(("after kernel " + name).c_str()) ? success : illegal_address;
    };
    return success;
}
