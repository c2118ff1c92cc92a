// libcuda.so.1's entry points that CudaBackend uses, on the device of runtime.h. Prototypes and
// values as in cuda.h (CUDA 12.6/13.0); kernels come from kernel_host.cpp, built from the same
// Kernels.cu that the NVRTC stand-in accepts.
#include "../kernels/kernel_host.h"
#include "runtime.h"
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace stand_in;
using CUdeviceptr = unsigned long long;

namespace
{
constexpr int no_device = 100;
constexpr int no_binary_for_gpu = 209;
constexpr int attribute_multiprocessor_count = 16;
constexpr int attribute_async_engine_count = 40;
constexpr int attribute_compute_major = 75;
constexpr int attribute_compute_minor = 76;
constexpr unsigned event_blocking_sync = 0x1;
constexpr unsigned jit_error_log_buffer = 5;
constexpr unsigned jit_error_log_buffer_size = 6;

bool initialised = false;
int primary_retains = 0;
char primary_context;
thread_local void* current_context = nullptr;

struct event
{
    marker point;
    bool recorded = false;
    bool blocking_sync = false;
};

// A loaded module: the kernels are those built into this library, so it holds nothing.
struct module
{
};

registry<event> events;
registry<module> modules;

// The checks every call makes first: the driver initialised, no sticky error, and (for most) a current context.
int check(bool needs_context = true)
{
    if (!initialised)
    {
        return not_initialized;
    }

    if (sticky_error() != success)
    {
        return sticky_error();
    }

    return needs_context && current_context != &primary_context ? invalid_context : success;
}

std::uint64_t launches_run = 0;

// The launch (counted from 1, in the order launches run) that faults the device, or 0 for none.
std::uint64_t failing_launch()
{
    static const std::uint64_t chosen = []
    {
        const char* text = std::getenv("CUDA_ON_CPU_FAIL_LAUNCH");
        return text == nullptr ? std::uint64_t{0} : std::strtoull(text, nullptr, 10);
    }();
    return chosen;
}

// As the driver does, an empty CUDA_VISIBLE_DEVICES (or one naming no device, as "-1" does) hides the device.
int visible_devices()
{
    const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
    return visible == nullptr || (*visible != '\0' && *visible != '-') ? 1 : 0;
}

// The checks of a call about a device: the driver initialised, no sticky error, device 0 (the only one).
int check_device(int device)
{
    const int status = check(false);
    return status != success ? status : device != 0 ? invalid_device : success;
}

// The checks of a call that queues work on a stream or waits for one: check()'s, then the stream.
int check_stream(void* handle, stream*& on)
{
    if (const int status = check(); status != success)
    {
        return status;
    }

    on = find_stream(handle);
    return on == nullptr ? invalid_handle : success;
}

std::uint64_t checksum(const void* data, std::size_t bytes)
{
    std::uint64_t hash = 14695981039346656037ull;
    for (std::size_t i = 0; i < bytes; i++)
    {
        hash = (hash ^ static_cast<const unsigned char*>(data)[i]) * 1099511628211ull;
    }

    return hash;
}

// Deletes an object this driver handed out as a handle.
template <class T>
int destroy(registry<T>& live, void* handle)
{
    if (const int status = check(); status != success)
    {
        return status;
    }

    return live.destroy(handle) ? success : invalid_handle;
}

struct error_text
{
    int code;
    const char* name;
    const char* description;
};

const error_text errors[] = {
    {success, "CUDA_SUCCESS", "no error"},
    {invalid_value, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {out_of_memory, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {not_initialized, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {34, "CUDA_ERROR_STUB_LIBRARY", "CUDA driver is a stub library"},
    {no_device, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {invalid_device, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {invalid_image, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {invalid_context, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {no_binary_for_gpu, "CUDA_ERROR_NO_BINARY_FOR_GPU", "no kernel image is available for execution on the device"},
    {invalid_handle, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {not_found, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {600, "CUDA_ERROR_NOT_READY", "device not ready"},
    {illegal_address, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {kernels_on_cpu::out_of_resources, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {kernels_on_cpu::launch_failed, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
};

const error_text* find_error(int code)
{
    const auto found = std::ranges::find(errors, code, &error_text::code);
    return found == std::end(errors) ? nullptr : found;
}
}

bool stand_in::context_current() { return current_context == &primary_context; }

extern "C"
{
int cuInit(unsigned flags)
{
    auto lock = enter();
    if (flags != 0)
    {
        return invalid_value;
    }

    // A driver that sees no device fails to initialise.
    if (visible_devices() == 0)
    {
        return no_device;
    }

    initialised = true;
    return success;
}

int cuDriverGetVersion(int* version)
{
    if (version == nullptr)
    {
        return invalid_value;
    }

    *version = driver_version;
    return success;
}

int cuDeviceGetCount(int* count)
{
    auto lock = enter();
    if (const int status = check(false); status != success)
    {
        return status;
    }

    *count = visible_devices();
    return success;
}

int cuDeviceGet(int* device, int ordinal)
{
    auto lock = enter();
    if (const int status = check(false); status != success)
    {
        return status;
    }

    if (ordinal < 0 || ordinal >= visible_devices())
    {
        return invalid_device;
    }

    *device = 0;
    return success;
}

int cuDeviceGetName(char* name, int length, int device)
{
    auto lock = enter();
    if (const int status = check_device(device); status != success)
    {
        return status;
    }

    if (name == nullptr || length <= 0)
    {
        return invalid_value;
    }

    std::snprintf(name, static_cast<std::size_t>(length), "%s", "CUDA stack on the CPU (test stand-in)");
    return success;
}

int cuDeviceGetAttribute(int* value, int attribute, int device)
{
    auto lock = enter();
    if (const int status = check_device(device); status != success)
    {
        return status;
    }

    switch (attribute)
    {
    case attribute_multiprocessor_count: *value = multiprocessors; return success;
    case attribute_async_engine_count: *value = 2; return success;
    case attribute_compute_major: *value = compute_major; return success;
    case attribute_compute_minor: *value = compute_minor; return success;
    default: return invalid_value;
    }
}

int cuDeviceTotalMem_v2(std::size_t* bytes, int device)
{
    auto lock = enter();
    if (const int status = check_device(device); status != success)
    {
        return status;
    }

    *bytes = total_memory;
    return success;
}

int cuDevicePrimaryCtxSetFlags_v2(int device, unsigned flags)
{
    auto lock = enter();
    if (const int status = check_device(device); status != success)
    {
        return status;
    }

    // CU_CTX_FLAGS_MASK is 0xFF; the scheduling mode (low 3 bits) is one of auto 0, spin 1, yield 2 or blocking sync 4.
    return (flags & ~0xFFu) != 0 || (flags & 0x7u) == 0x3u || (flags & 0x7u) > 4 ? invalid_value : success;
}

int cuDevicePrimaryCtxRetain(void** context, int device)
{
    auto lock = enter();
    if (const int status = check_device(device); status != success)
    {
        return status;
    }

    primary_retains++;
    *context = &primary_context;
    return success;
}

int cuDevicePrimaryCtxRelease_v2(int device)
{
    auto lock = enter();
    if (device != 0)
    {
        return invalid_device;
    }

    if (primary_retains == 0)
    {
        return invalid_context;
    }

    primary_retains--;
    return success;
}

int cuCtxSetCurrent(void* context)
{
    auto lock = enter();
    if (!initialised)
    {
        return not_initialized;
    }

    if (context != nullptr && (context != &primary_context || primary_retains == 0))
    {
        return invalid_context;
    }

    current_context = context;
    return success;
}

int cuCtxSynchronize()
{
    auto lock = enter();
    if (const int status = check(); status != success)
    {
        return status;
    }

    tally(counter::context_waits);
    run_everything();
    return after_host_wait("cuCtxSynchronize");
}

int cuMemAlloc_v2(CUdeviceptr* pointer, std::size_t bytes)
{
    auto lock = enter();
    if (const int status = check(); status != success)
    {
        return status;
    }

    if (pointer == nullptr || bytes == 0)
    {
        return invalid_value;
    }

    void* memory = allocate(bytes, memory_kind::device);
    if (memory == nullptr)
    {
        return out_of_memory;
    }

    tally(counter::device_allocations);

    *pointer = reinterpret_cast<CUdeviceptr>(memory);
    return success;
}

int cuMemFree_v2(CUdeviceptr pointer)
{
    auto lock = enter();
    if (const int status = check(); status != success)
    {
        return status;
    }

    if (!release(reinterpret_cast<void*>(pointer), memory_kind::device))
    {
        return invalid_value;
    }

    tally(counter::device_frees);
    return sticky_error();
}

int cuMemHostAlloc(void** pointer, std::size_t bytes, unsigned flags)
{
    auto lock = enter();
    if (const int status = check(); status != success)
    {
        return status;
    }

    if (pointer == nullptr || bytes == 0 || (flags & ~0x7u) != 0)
    {
        return invalid_value;
    }

    *pointer = allocate(bytes, memory_kind::pinned);
    if (*pointer == nullptr)
    {
        return out_of_memory;
    }

    tally(counter::pinned_allocations);
    return success;
}

int cuMemFreeHost(void* pointer)
{
    auto lock = enter();
    if (const int status = check(); status != success)
    {
        return status;
    }

    if (!release(pointer, memory_kind::pinned))
    {
        return invalid_value;
    }

    tally(counter::pinned_frees);
    return sticky_error();
}

int cuMemcpyHtoDAsync_v2(CUdeviceptr destination, const void* source, std::size_t bytes, void* stream_handle)
{
    auto lock = enter();
    stream* on;
    if (const int status = check_stream(stream_handle, on); status != success)
    {
        return status;
    }

    if (source == nullptr || !device_range(destination, bytes, "cuMemcpyHtoDAsync destination"))
    {
        return invalid_value;
    }

    auto* target = reinterpret_cast<void*>(destination);
    if (kind_of(source, bytes) == memory_kind::pinned)
    {
        // Read when the copy runs, as the copy engine does; the host must not have changed it since.
        enqueue(*on, [=, expected = checksum(source, bytes)]
        {
            if (checksum(source, bytes) != expected)
            {
                fail("pinned host memory changed between cuMemcpyHtoDAsync and the copy: it was reused before its upload completed");
                return;
            }

            std::memcpy(target, source, bytes);
        });
    }
    else
    {
        // Pageable memory is staged before the call returns.
        std::vector<unsigned char> staged(static_cast<const unsigned char*>(source), static_cast<const unsigned char*>(source) + bytes);
        enqueue(*on, [=, staged = std::move(staged)] { std::memcpy(target, staged.data(), bytes); });
    }

    return success;
}

int cuMemcpyDtoHAsync_v2(void* destination, CUdeviceptr source, std::size_t bytes, void* stream_handle)
{
    auto lock = enter();
    stream* on;
    if (const int status = check_stream(stream_handle, on); status != success)
    {
        return status;
    }

    if (destination == nullptr || !device_range(source, bytes, "cuMemcpyDtoHAsync source"))
    {
        return invalid_value;
    }

    enqueue(*on, [=] { std::memcpy(destination, reinterpret_cast<const void*>(source), bytes); });
    if (kind_of(destination, bytes) != memory_kind::pinned)
    {
        // Into pageable memory the copy has completed when the call returns.
        tally(counter::pageable_downloads);
        run_stream(*on);
        return after_host_wait("cuMemcpyDtoHAsync into pageable memory");
    }

    return sticky_error();
}

int cuMemcpyDtoDAsync_v2(CUdeviceptr destination, CUdeviceptr source, std::size_t bytes, void* stream_handle)
{
    auto lock = enter();
    stream* on;
    if (const int status = check_stream(stream_handle, on); status != success)
    {
        return status;
    }

    if (!device_range(source, bytes, "cuMemcpyDtoDAsync source")
        || !device_range(destination, bytes, "cuMemcpyDtoDAsync destination"))
    {
        return invalid_value;
    }

    enqueue(*on, [=] { std::memmove(reinterpret_cast<void*>(destination), reinterpret_cast<const void*>(source), bytes); });
    return success;
}

int cuMemsetD32Async(CUdeviceptr destination, unsigned value, std::size_t count, void* stream_handle)
{
    auto lock = enter();
    stream* on;
    if (const int status = check_stream(stream_handle, on); status != success)
    {
        return status;
    }

    if (destination % 4 != 0 || !device_range(destination, count * 4, "cuMemsetD32Async destination"))
    {
        return invalid_value;
    }

    enqueue(*on, [=]
    {
        auto* words = reinterpret_cast<unsigned*>(destination);
        std::fill(words, words + count, value);
    });
    return success;
}

int cuStreamCreate(void** stream_handle, unsigned flags)
{
    auto lock = enter();
    if (const int status = check(); status != success)
    {
        return status;
    }

    if (stream_handle == nullptr || flags > 1)
    {
        return invalid_value;
    }

    *stream_handle = create_stream();
    return success;
}

int cuStreamDestroy_v2(void* stream_handle)
{
    auto lock = enter();
    if (const int status = check(); status != success)
    {
        return status;
    }

    return destroy_stream(stream_handle) ? sticky_error() : invalid_handle;
}

int cuStreamSynchronize(void* stream_handle)
{
    auto lock = enter();
    stream* on;
    if (const int status = check_stream(stream_handle, on); status != success)
    {
        return status;
    }

    tally(counter::stream_waits);
    run_stream(*on);
    return after_host_wait("cuStreamSynchronize");
}

int cuStreamWaitEvent(void* stream_handle, void* event_handle, unsigned flags)
{
    auto lock = enter();
    stream* on;
    if (const int status = check_stream(stream_handle, on); status != success)
    {
        return status;
    }

    if (events.find(event_handle) == nullptr)
    {
        return invalid_handle;
    }

    if (flags != 0)
    {
        return invalid_value;
    }

    // The wait is for the event's latest record at the time of this call; a never-recorded event is no wait.
    if (const auto& waited = *static_cast<event*>(event_handle); waited.recorded)
    {
        enqueue(*on, [point = waited.point] { run_until(point); });
    }

    return success;
}

int cuEventCreate(void** event_handle, unsigned flags)
{
    auto lock = enter();
    if (const int status = check(); status != success)
    {
        return status;
    }

    if (event_handle == nullptr || (flags & ~0xFu) != 0)
    {
        return invalid_value;
    }

    auto* created = events.create();
    created->blocking_sync = (flags & event_blocking_sync) != 0;
    *event_handle = created;
    return success;
}

int cuEventRecord(void* event_handle, void* stream_handle)
{
    auto lock = enter();
    stream* on;
    if (const int status = check_stream(stream_handle, on); status != success)
    {
        return status;
    }

    if (events.find(event_handle) == nullptr)
    {
        return invalid_handle;
    }

    auto& recorded = *static_cast<event*>(event_handle);
    recorded.point = mark(*on);
    recorded.recorded = true;
    return success;
}

int cuEventSynchronize(void* event_handle)
{
    auto lock = enter();
    if (const int status = check(); status != success)
    {
        return status;
    }

    if (events.find(event_handle) == nullptr)
    {
        return invalid_handle;
    }

    tally(counter::event_waits);
    const auto& waited = *static_cast<event*>(event_handle);
    if (!waited.blocking_sync)
    {
        tally(counter::spinning_event_waits);
    }

    if (waited.recorded)
    {
        run_until(waited.point);
    }

    return after_host_wait("cuEventSynchronize");
}

int cuEventDestroy_v2(void* event_handle)
{
    auto lock = enter();
    return destroy(events, event_handle);
}

int cuModuleLoadDataEx(void** module, const void* image, unsigned option_count, const unsigned* options, void** option_values)
{
    auto lock = enter();
    if (const int status = check(); status != success)
    {
        return status;
    }

    if (module == nullptr || image == nullptr || (option_count > 0 && (options == nullptr || option_values == nullptr)))
    {
        return invalid_value;
    }

    char* log = nullptr;
    std::size_t log_bytes = 0;
    for (unsigned i = 0; i < option_count; i++)
    {
        if (options[i] == jit_error_log_buffer)
        {
            log = static_cast<char*>(option_values[i]);
        }
        else if (options[i] == jit_error_log_buffer_size)
        {
            log_bytes = reinterpret_cast<std::uintptr_t>(option_values[i]);
        }
    }

    auto refuse = [&](int status, const std::string& why)
    {
        if (log != nullptr && log_bytes > 0)
        {
            std::snprintf(log, log_bytes, "%s", why.c_str());
        }

        return status;
    };

    // The NVRTC stand-in's image: "cuda-on-cpu sm_XY" (a CUBIN, for exactly that device) or
    // "cuda-on-cpu compute_XY" (PTX, which a device of that architecture or newer JIT-compiles).
    int architecture = 0;
    char kind[16] = {};
    if (std::sscanf(static_cast<const char*>(image), "cuda-on-cpu %15[a-z]_%d", kind, &architecture) != 2)
    {
        return refuse(invalid_image, "not an image made by the NVRTC stand-in");
    }

    // A CUBIN runs on its major version from its minor up; PTX on its architecture and newer.
    const int device = compute_major * 10 + compute_minor;
    const bool cubin = std::strcmp(kind, "sm") == 0;
    if (cubin ? architecture / 10 != compute_major || architecture > device : architecture > device)
    {
        return refuse(no_binary_for_gpu, "the image was built for another architecture than this device's");
    }

    *module = modules.create();
    return success;
}

int cuModuleUnload(void* module)
{
    auto lock = enter();
    return destroy(modules, module);
}

int cuModuleGetFunction(const void** function, void* module, const char* name)
{
    auto lock = enter();
    if (const int status = check(); status != success)
    {
        return status;
    }

    if (modules.find(module) == nullptr)
    {
        return invalid_handle;
    }

    if (function == nullptr || name == nullptr)
    {
        return invalid_value;
    }

    *function = kernels_on_cpu::find(name);
    return *function == nullptr ? not_found : success;
}

int cuLaunchKernel(const void* function, unsigned grid_x, unsigned grid_y, unsigned grid_z, unsigned block_x, unsigned block_y,
    unsigned block_z, unsigned shared_bytes, void* stream_handle, void** params, void** extra)
{
    auto lock = enter();
    stream* on;
    if (const int status = check_stream(stream_handle, on); status != success)
    {
        return status;
    }

    std::function<int(std::string&)> launch;
    if (const int status = kernels_on_cpu::bind(function, grid_x, grid_y, grid_z, block_x, block_y, block_z, shared_bytes, params, extra, launch);
        status != success)
    {
        return status;
    }

    enqueue(*on, [launch = std::move(launch)]
    {
        tally(counter::kernel_launches);
        if (++launches_run == failing_launch())
        {
            fail("kernel launch " + std::to_string(launches_run) + " fails, as CUDA_ON_CPU_FAIL_LAUNCH asks (a device fault for tests)");
            return;
        }

        std::string why;
        if (const int status = launch(why); status != success)
        {
            fail("a kernel launch failed with " + std::to_string(status) + (why.empty() ? "" : ": " + why));
        }
    });
    return success;
}

int cuGetErrorString(int error, const char** text)
{
    const auto* known = find_error(error);
    *text = known == nullptr ? nullptr : known->description;
    return known == nullptr ? invalid_value : success;
}

int cuGetErrorName(int error, const char** text)
{
    const auto* known = find_error(error);
    *text = known == nullptr ? nullptr : known->name;
    return known == nullptr ? invalid_value : success;
}
}
