// The device of the CUDA stack on the CPU: what the libcuda, cuDNN, cuBLAS, NVRTC and NVML stand-ins share.
//
// Device memory is host memory, so the kernels built for the CPU can use it, but every device
// range an op names is checked against a live allocation, and each device allocation lies between
// guard zones that are checked at every host synchronisation and free. Streams are as lazy as CUDA allows:
// queued work runs only when something forces it (a host wait on the stream, an event or the
// context; a stream waiting on an event; an implicit synchronisation). So work that was not
// ordered by events runs in whatever order the host's waits happen to force, which turns a
// missing cuStreamWaitEvent into wrong numbers instead of a race that a real GPU would usually win.
// An upload from pinned memory reads it when it runs, and fails if the host changed the memory
// in between (a buffer reused before its upload completed).
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <span>
#include <string>

namespace stand_in
{
// CUresult values.
enum result : int
{
    success = 0,
    invalid_value = 1,
    out_of_memory = 2,
    not_initialized = 3,
    invalid_device = 101,
    invalid_image = 200,
    invalid_context = 201,
    invalid_handle = 400,
    not_found = 500,
    illegal_address = 700,
};

// The device the CUDA stack on the CPU pretends to be.
constexpr int compute_major = 9;
constexpr int compute_minor = 0;
// Enough multiprocessors for grids of more blocks than a block has threads (the launcher allows 8 per SM).
constexpr int multiprocessors = 40;
constexpr std::size_t total_memory = std::size_t{4} << 30;
constexpr int driver_version = 13000;

// One entry point at a time: every exported function holds it for its whole call, and queued
// work runs inside the call that forces it.
std::unique_lock<std::recursive_mutex> enter();

// Whether the calling thread has the primary context current; ops need it, as on a device.
bool context_current();

// The error that made the device unusable (as an illegal address does), or success; every
// driver call returns it from then on.
result sticky_error();

// Makes the device unusable, saying why on stderr.
void fail(const std::string& why);

// Where a range lies.
enum class memory_kind
{
    none,
    device,
    pinned,
};

memory_kind kind_of(const void* start, std::size_t bytes);

// Whether [address, address + bytes) lies inside one live device allocation; says so on stderr, and
// in `complaint` where the caller keeps the reason (cuDNN's last error), when it does not.
bool device_range(std::uint64_t address, std::size_t bytes, const char* what, std::string* complaint = nullptr);

// The live device allocation that `address` lies in, all of it, or an empty span.
std::span<std::byte> device_allocation_at(std::uint64_t address);

void* allocate(std::size_t bytes, memory_kind kind);

// Frees after waiting for all queued work, as cuMemFree and cuMemFreeHost synchronise; a device
// allocation's guard zones are checked first.
bool release(void* start, memory_kind kind);

// Whether the guard zones around every live device allocation still hold their pattern; the
// first one changed fails the device, naming the allocation, the offset and `when`.
bool guards_intact(const char* when);

// What a host synchronisation returns once the work it waited for has run: the guard zones are
// checked (a kernel that wrote outside its memory fails here, as its fault would surface on a
// GPU), then the sticky error.
result after_host_wait(const char* call);

struct stream;

// The stream behind a handle (0 is the legacy default stream), or null for one never created.
stream* find_stream(void* handle);
void* create_stream();
bool destroy_stream(void* handle);

// Queues work; it runs when forced. A failing step calls fail() itself.
void enqueue(stream& on, std::function<void()> work);

// An event: the point of a stream's queue at its last record.
struct marker
{
    stream* on = nullptr;
    std::uint64_t position = 0;
};

marker mark(stream& on);

// Runs the stream's queue up to the marker's position (a host or stream wait).
void run_until(const marker& point);
void run_stream(stream& on);
void run_everything();

// What the tests count (written at exit to the file CUDA_ON_CPU_COUNTS names, one "name count" a
// line): kernels run, allocations and frees of device and pinned memory, every way the host
// waits for the device, host waits that spin (on an event without CU_EVENT_BLOCKING_SYNC),
// convolutions run with an algorithm cuDNN calls non-deterministic, algorithm searches that time
// the candidates (Find), and max pooling backward passes in cuDNN's non-reproducible mode.
enum class counter
{
    kernel_launches,
    device_allocations,
    device_frees,
    pinned_allocations,
    pinned_frees,
    stream_waits,
    event_waits,
    context_waits,
    pageable_downloads,
    nondeterministic_convolutions,
    spinning_event_waits,
    timed_searches,
    nondeterministic_poolings,
};

void tally(counter what);

// A GPU leaves some orders open (which block runs first, which atomic add lands first), and they
// differ from run to run; here they come from this, seeded anew in each process.
std::mt19937& open_order();

// For NVML: nanoseconds the streams have spent running work, and device bytes allocated; both
// readable without entering, from a sampler's thread.
std::uint64_t busy_nanoseconds();
std::size_t device_bytes_in_use();

// Objects a library hands out as opaque handles, so that a call can tell a live handle from any
// other pointer. Not locked: callers have entered.
template <class T>
class registry
{
public:
    T* create()
    {
        auto* made = new T();
        _live.insert(made);
        return made;
    }

    T* find(void* handle) const
    {
        auto* candidate = static_cast<T*>(handle);
        return _live.contains(candidate) ? candidate : nullptr;
    }

    // False for a handle that is not live.
    bool destroy(void* handle)
    {
        auto* doomed = static_cast<T*>(handle);
        if (_live.erase(doomed) == 0)
        {
            return false;
        }

        delete doomed;
        return true;
    }

private:
    std::set<T*> _live;
};

// Rounds to nearest even on the 10 explicit mantissa bits of TF32, as tensor cores read float32.
inline float tf32(float value)
{
    auto bits = std::bit_cast<std::uint32_t>(value);
    if ((bits & 0x7F800000u) == 0x7F800000u)
    {
        return value;
    }

    bits += 0xFFFu + ((bits >> 13) & 1u);
    return std::bit_cast<float>(bits & ~0x1FFFu);
}
}
