// libnvidia-ml.so.1's entry points that the telemetry reads (GpuSampler, gpu.csv), describing the
// device of runtime.h. Its utilisation is real: the share of wall time its streams spent running work
// since the previous query, as NVML reports the share of its last sample period the GPU was busy.
// Every other reading is fixed. CUDA_ON_CPU_NVML_FAIL makes one query answer an error instead, so
// that tests reach the telemetry's error paths through the real bindings. Values as in nvml.h.
#include "runtime.h"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

using namespace stand_in;

namespace
{
enum nvml_return : int
{
    nvml_success = 0,
    nvml_uninitialized = 1,
    nvml_invalid_argument = 2,
    nvml_not_supported = 3,
    nvml_insufficient_size = 7,
    nvml_gpu_is_lost = 15,
    nvml_argument_version_mismatch = 25,
};

constexpr unsigned memory_v2_version = 40 | (2u << 24);
constexpr const char* device_name = "CUDA stack on the CPU (test stand-in)";
constexpr unsigned power_milliwatts = 70000;

struct pci_info
{
    char bus_id_legacy[16];
    unsigned domain, bus, device, pci_device_id, pci_subsystem_id;
    char bus_id[32];
};
static_assert(sizeof(pci_info) == 68);

struct utilization
{
    unsigned gpu, memory;
};

struct memory_v1
{
    unsigned long long total, free, used;
};

struct memory_v2
{
    unsigned version;
    unsigned long long total, reserved, free, used;
};
static_assert(sizeof(memory_v2) == 40);

std::mutex nvml;
int initialised = 0;
char the_device;
// The previous utilisation query, for the share of the time since.
std::uint64_t busy_before = 0;
std::chrono::steady_clock::time_point asked_before = std::chrono::steady_clock::now();

// CUDA_ON_CPU_NVML_FAIL=ENTRY:STATUS[:FROM] makes the entry point named ENTRY (nvmlDeviceGetTemperature,
// say) answer STATUS from its FROM-th call on (default: the first), without touching its output: a
// board that does not support the query (3), or a GPU that fell off the bus (15). Called under the lock.
int injected_failure(const char* entry)
{
    static const auto chosen = []
    {
        struct failure
        {
            std::string entry;
            int status = nvml_success;
            long from = 1;
        } parsed;
        const char* text = std::getenv("CUDA_ON_CPU_NVML_FAIL");
        const char* colon = text == nullptr ? nullptr : std::strchr(text, ':');
        if (colon != nullptr)
        {
            char* end = nullptr;
            parsed.entry.assign(text, colon);
            parsed.status = static_cast<int>(std::strtol(colon + 1, &end, 10));
            parsed.from = *end == ':' ? std::strtol(end + 1, nullptr, 10) : 1;
        }

        return parsed;
    }();
    static long calls = 0;
    return chosen.status != nvml_success && chosen.entry == entry && ++calls >= chosen.from ? chosen.status : nvml_success;
}

int check(void* device)
{
    if (initialised == 0)
    {
        return nvml_uninitialized;
    }

    return device == &the_device ? nvml_success : nvml_invalid_argument;
}

int copy_text(char* target, unsigned length, const char* text)
{
    if (target == nullptr || length <= std::strlen(text))
    {
        return target == nullptr ? nvml_invalid_argument : nvml_insufficient_size;
    }

    std::snprintf(target, length, "%s", text);
    return nvml_success;
}

// A device query: the checks NVML makes, then an injected failure, then the answer.
template <class Fill>
int answer(const char* entry, void* device, bool valid, Fill fill)
{
    std::lock_guard lock(nvml);
    if (const int status = check(device); status != nvml_success)
    {
        return status;
    }

    if (const int status = injected_failure(entry); status != nvml_success)
    {
        return status;
    }

    if (!valid)
    {
        return nvml_invalid_argument;
    }

    fill();
    return nvml_success;
}
}

extern "C"
{
int nvmlInit_v2()
{
    std::lock_guard lock(nvml);
    initialised++;
    return nvml_success;
}

int nvmlShutdown()
{
    std::lock_guard lock(nvml);
    if (initialised == 0)
    {
        return nvml_uninitialized;
    }

    initialised--;
    return nvml_success;
}

const char* nvmlErrorString(int result)
{
    switch (result)
    {
    case nvml_success: return "Success";
    case nvml_uninitialized: return "Uninitialized";
    case nvml_invalid_argument: return "Invalid Argument";
    case nvml_not_supported: return "Not Supported";
    case nvml_insufficient_size: return "Insufficient Size";
    case nvml_gpu_is_lost: return "GPU is lost";
    case nvml_argument_version_mismatch: return "Argument Version Mismatch";
    default: return "Unknown Error";
    }
}

int nvmlSystemGetDriverVersion(char* version, unsigned length)
{
    std::lock_guard lock(nvml);
    return initialised == 0 ? nvml_uninitialized : copy_text(version, length, "580.00 (cuda-on-cpu)");
}

int nvmlDeviceGetCount_v2(unsigned* count)
{
    return answer(__func__, &the_device, count != nullptr, [&] { *count = 1; });
}

int nvmlDeviceGetHandleByIndex_v2(unsigned index, void** device)
{
    return answer(__func__, &the_device, index == 0 && device != nullptr, [&] { *device = &the_device; });
}

int nvmlDeviceGetName(void* device, char* name, unsigned length)
{
    std::lock_guard lock(nvml);
    const int status = check(device);
    return status != nvml_success ? status : copy_text(name, length, device_name);
}

int nvmlDeviceGetPciInfo_v3(void* device, pci_info* pci)
{
    return answer(__func__, device, pci != nullptr, [&]
    {
        *pci = {};
        std::snprintf(pci->bus_id_legacy, sizeof pci->bus_id_legacy, "0000:00:00.0");
        std::snprintf(pci->bus_id, sizeof pci->bus_id, "00000000:00:00.0");
    });
}

int nvmlDeviceGetUtilizationRates(void* device, utilization* rates)
{
    return answer(__func__, device, rates != nullptr, [&]
    {
        const auto now = std::chrono::steady_clock::now();
        const auto busy = busy_nanoseconds();
        const double wall = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - asked_before).count());
        const double share = wall <= 0 ? 0.0 : static_cast<double>(busy - busy_before) / wall;
        rates->gpu = static_cast<unsigned>(std::clamp(share * 100.0 + 0.5, 0.0, 100.0));
        rates->memory = 0;
        busy_before = busy;
        asked_before = now;
    });
}

int nvmlDeviceGetMemoryInfo(void* device, memory_v1* memory)
{
    return answer(__func__, device, memory != nullptr, [&]
    {
        const auto used = device_bytes_in_use();
        *memory = {total_memory, total_memory - used, used};
    });
}

int nvmlDeviceGetMemoryInfo_v2(void* device, memory_v2* memory)
{
    if (memory != nullptr && memory->version != memory_v2_version)
    {
        return nvml_argument_version_mismatch;
    }

    return answer(__func__, device, memory != nullptr, [&]
    {
        const auto used = device_bytes_in_use();
        *memory = {memory_v2_version, total_memory, 0, total_memory - used, used};
    });
}

int nvmlDeviceGetTemperature(void* device, int sensor, unsigned* celsius)
{
    return answer(__func__, device, sensor == 0 && celsius != nullptr, [&] { *celsius = 40; });
}

int nvmlDeviceGetPowerUsage(void* device, unsigned* milliwatts)
{
    return answer(__func__, device, milliwatts != nullptr, [&] { *milliwatts = power_milliwatts; });
}

int nvmlDeviceGetClockInfo(void* device, int type, unsigned* megahertz)
{
    return answer(__func__, device, type >= 0 && type <= 3 && megahertz != nullptr, [&] { *megahertz = 1000; });
}

int nvmlDeviceGetPcieThroughput(void* device, int counter, unsigned* kilobytes_per_second)
{
    return answer(__func__, device, (counter == 0 || counter == 1) && kilobytes_per_second != nullptr, [&] { *kilobytes_per_second = 0; });
}

int nvmlDeviceGetPerformanceState(void* device, int* state)
{
    return answer(__func__, device, state != nullptr, [&] { *state = 0; });
}

int nvmlDeviceGetMaxPcieLinkGeneration(void* device, unsigned* generation)
{
    return answer(__func__, device, generation != nullptr, [&] { *generation = 5; });
}

int nvmlDeviceGetCurrPcieLinkGeneration(void* device, unsigned* generation)
{
    return answer(__func__, device, generation != nullptr, [&] { *generation = 5; });
}
}
