// The shared device state of the stand-ins (runtime.h).
#include "runtime.h"
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace stand_in
{
struct stream
{
    std::deque<std::function<void()>> pending;
    std::uint64_t enqueued = 0;
    std::uint64_t completed = 0;
    bool running = false;
};

namespace
{
struct allocation
{
    std::size_t bytes;
    memory_kind kind;
};

std::recursive_mutex api;
result sticky = success;
std::map<std::uintptr_t, allocation> allocations;
stream default_stream;
// Streams are never deleted: an event may still point into a destroyed one's queue.
std::set<stream*> live_streams;
std::deque<stream> all_streams;
std::atomic<std::uint64_t> busy;
int running_depth = 0;
std::atomic<std::size_t> device_bytes;

// Written when the library is unloaded at exit.
struct counts
{
    std::atomic<std::uint64_t> values[static_cast<std::size_t>(counter::nondeterministic_poolings) + 1] = {};

    ~counts()
    {
        const char* path = std::getenv("CUDA_ON_CPU_COUNTS");
        if (path == nullptr)
        {
            return;
        }

        static const char* const names[] = {"kernel_launches", "device_allocations", "device_frees", "pinned_allocations", "pinned_frees", "stream_waits", "event_waits", "context_waits", "pageable_downloads",
            "nondeterministic_convolutions", "spinning_event_waits", "timed_searches", "nondeterministic_poolings"};
        static_assert(std::size(names) == std::size(decltype(values){}), "one name per counter");
        std::ofstream file(path);
        for (std::size_t i = 0; i < std::size(names); i++)
        {
            file << names[i] << ' ' << values[i] << '\n';
        }
    }
} tallies;

const char* name_of(memory_kind kind) { return kind == memory_kind::device ? "device" : "pinned host"; }

// Device memory has a guard zone before it and after it, from its last byte to the end of the
// 256-byte rounding and 256 bytes more. The zones hold a NaN (so that a read out of bounds gives
// NaN, as memory nobody wrote does) other than the all-bits-set one that fresh memory holds and
// that arithmetic makes: a kernel that writes outside its allocation changes them.
constexpr std::size_t guard_bytes = 256;
constexpr std::uint32_t guard_word = 0x7FA5A5A5u;

std::size_t rounded(std::size_t bytes) { return (bytes + 255) / 256 * 256; }

// The pattern's byte at an address: aligned words of a zone read as guard_word.
unsigned char guard_byte(std::uintptr_t address) { return static_cast<unsigned char>(guard_word >> (8 * (address % 4))); }

// The zones around the device allocation at `base`: [base - guard_bytes, base) and
// [base + bytes, base + rounded(bytes) + guard_bytes).
template <class Visit>
bool each_guard_byte(std::uintptr_t base, std::size_t bytes, Visit visit)
{
    for (auto address = base - guard_bytes; address < base; address++)
    {
        if (!visit(address))
        {
            return false;
        }
    }

    for (auto address = base + bytes; address < base + rounded(bytes) + guard_bytes; address++)
    {
        if (!visit(address))
        {
            return false;
        }
    }

    return true;
}

bool guard_intact(std::uintptr_t base, const allocation& block, const char* when)
{
    std::uintptr_t changed = 0;
    if (each_guard_byte(base, block.bytes, [&](std::uintptr_t address)
        {
            changed = address;
            return *reinterpret_cast<const unsigned char*>(address) == guard_byte(address);
        }))
    {
        return true;
    }

    char text[256];
    if (changed < base)
    {
        std::snprintf(text, sizeof text, "%s: the byte %zu before the device allocation of %zu bytes at 0x%llx changed: something wrote outside it", when,
            static_cast<std::size_t>(base - changed), block.bytes, static_cast<unsigned long long>(base));
    }
    else
    {
        std::snprintf(text, sizeof text, "%s: the byte at offset %zu of the device allocation of %zu bytes at 0x%llx changed: something wrote past its end", when,
            static_cast<std::size_t>(changed - base), block.bytes, static_cast<unsigned long long>(base));
    }

    fail(text);
    return false;
}
}

std::unique_lock<std::recursive_mutex> enter() { return std::unique_lock(api); }

result sticky_error() { return sticky; }

void fail(const std::string& why)
{
    std::fprintf(stderr, "cuda-on-cpu: %s\n", why.c_str());
    std::fflush(stderr);
    if (sticky == success)
    {
        sticky = illegal_address;
    }
}

memory_kind kind_of(const void* start, std::size_t bytes)
{
    const auto address = reinterpret_cast<std::uintptr_t>(start);
    auto after = allocations.upper_bound(address);
    if (after == allocations.begin())
    {
        return memory_kind::none;
    }

    const auto& [base, block] = *std::prev(after);
    return bytes <= block.bytes && address - base <= block.bytes - bytes ? block.kind : memory_kind::none;
}

bool device_range(std::uint64_t address, std::size_t bytes, const char* what, std::string* complaint)
{
    if (bytes == 0 || kind_of(reinterpret_cast<const void*>(address), bytes) == memory_kind::device)
    {
        return true;
    }

    char text[256];
    std::snprintf(text, sizeof text, "%s: %zu bytes at 0x%llx are not inside one live device allocation", what, bytes,
        static_cast<unsigned long long>(address));
    if (complaint != nullptr)
    {
        *complaint = text;
    }

    std::fprintf(stderr, "cuda-on-cpu: %s\n", text);
    return false;
}

void* allocate(std::size_t bytes, memory_kind kind)
{
    // Device allocations are 256-byte aligned on a GPU; fresh memory reads as NaN (all bits set), as
    // memory the caller forgot to initialise may read anything there.
    if (kind == memory_kind::device && bytes > total_memory - device_bytes)
    {
        return nullptr;
    }

    const std::size_t guards = kind == memory_kind::device ? guard_bytes : 0;
    auto* raw = static_cast<unsigned char*>(std::aligned_alloc(256, guards + rounded(bytes) + guards));
    if (raw == nullptr)
    {
        return nullptr;
    }

    void* memory = raw + guards;
    std::memset(memory, 0xFF, bytes);
    const auto base = reinterpret_cast<std::uintptr_t>(memory);
    if (kind == memory_kind::device)
    {
        each_guard_byte(base, bytes, [](std::uintptr_t address)
        {
            *reinterpret_cast<unsigned char*>(address) = guard_byte(address);
            return true;
        });
    }

    allocations[base] = {bytes, kind};
    if (kind == memory_kind::device)
    {
        device_bytes += bytes;
    }

    return memory;
}

bool release(void* start, memory_kind kind)
{
    const auto found = allocations.find(reinterpret_cast<std::uintptr_t>(start));
    if (found == allocations.end() || found->second.kind != kind)
    {
        std::fprintf(stderr, "cuda-on-cpu: %p is not the start of a live %s allocation\n", start, name_of(kind));
        return false;
    }

    run_everything();
    if (kind == memory_kind::device)
    {
        guard_intact(found->first, found->second, "cuMemFree");
        device_bytes -= found->second.bytes;
    }

    allocations.erase(found);
    std::free(static_cast<unsigned char*>(start) - (kind == memory_kind::device ? guard_bytes : 0));
    return true;
}

std::span<std::byte> device_allocation_at(std::uint64_t address)
{
    auto after = allocations.upper_bound(static_cast<std::uintptr_t>(address));
    if (after == allocations.begin())
    {
        return {};
    }

    const auto& [base, block] = *std::prev(after);
    return block.kind == memory_kind::device && address - base < block.bytes ? std::span(reinterpret_cast<std::byte*>(base), block.bytes) : std::span<std::byte>{};
}

bool guards_intact(const char* when)
{
    for (const auto& [base, block] : allocations)
    {
        if (block.kind == memory_kind::device && !guard_intact(base, block, when))
        {
            return false;
        }
    }

    return true;
}

result after_host_wait(const char* call)
{
    guards_intact(call);
    return sticky;
}

stream* find_stream(void* handle)
{
    if (handle == nullptr)
    {
        return &default_stream;
    }

    auto* candidate = static_cast<stream*>(handle);
    return live_streams.contains(candidate) ? candidate : nullptr;
}

void* create_stream()
{
    auto* created = &all_streams.emplace_back();
    live_streams.insert(created);
    return created;
}

bool destroy_stream(void* handle)
{
    auto* doomed = static_cast<stream*>(handle);
    if (handle == nullptr || !live_streams.contains(doomed))
    {
        return false;
    }

    // Work queued before the destroy still completes on a GPU.
    run_stream(*doomed);
    live_streams.erase(doomed);
    return true;
}

void enqueue(stream& on, std::function<void()> work)
{
    on.pending.push_back(std::move(work));
    on.enqueued++;
}

marker mark(stream& on) { return {&on, on.enqueued}; }

void run_until(const marker& point)
{
    auto& on = *point.on;
    while (on.completed < point.position)
    {
        if (on.running)
        {
            fail("two streams wait on each other's events: a GPU would deadlock");
            return;
        }

        auto work = std::move(on.pending.front());
        on.pending.pop_front();
        on.running = true;
        if (sticky == success)
        {
            // Work that waits on another stream runs that stream's work inside it: only the outermost counts as busy time.
            const auto started = std::chrono::steady_clock::now();
            running_depth++;
            work();
            if (--running_depth == 0)
            {
                busy += static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count());
            }
        }

        on.running = false;
        on.completed++;
    }
}

void run_stream(stream& on) { run_until(mark(on)); }

std::uint64_t busy_nanoseconds() { return busy; }

std::size_t device_bytes_in_use() { return device_bytes; }

void tally(counter what) { tallies.values[static_cast<std::size_t>(what)]++; }

std::mt19937& open_order()
{
    static std::mt19937 engine{std::random_device{}()};
    return engine;
}

void run_everything()
{
    run_stream(default_stream);
    for (auto& each : all_streams)
    {
        run_stream(each);
    }
}
}
