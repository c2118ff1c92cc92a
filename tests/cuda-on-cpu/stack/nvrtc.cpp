// libnvrtc.so.13's entry points that NvrtcCompiler uses. Nothing is compiled: the stand-in accepts
// only the Kernels.cu it was built for (KERNELS_ACCEPTED) and returns an image naming the
// architecture asked for, which the driver stand-in checks. The driver runs the kernels of
// KERNELS_SOURCE: the same file, except in a stack built to show that a wrong kernel is caught.
#include "runtime.h"
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#ifndef KERNELS_ACCEPTED
#define KERNELS_ACCEPTED KERNELS_SOURCE
#endif

using namespace stand_in;

namespace
{
enum nvrtc_result : int
{
    nvrtc_success = 0,
    nvrtc_invalid_input = 3,
    nvrtc_invalid_program = 4,
    nvrtc_invalid_option = 5,
    nvrtc_compilation = 6,
};

constexpr int supported[] = {75, 80, 86, 87, 88, 89, 90, 100, 103, 110, 120, 121};

struct program
{
    std::string source;
    std::string log;
    std::string image;
    bool cubin = false;
};

registry<program> programs;

std::string built_source()
{
    std::ifstream file(KERNELS_ACCEPTED, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

program* find(void* handle) { return programs.find(handle); }

// Reads the image of a compiled program; a program that is unknown or not compiled is refused.
template <class Read>
int with_image(void* handle, Read read)
{
    const auto* compiled = find(handle);
    if (compiled == nullptr || compiled->image.empty())
    {
        return nvrtc_invalid_program;
    }

    read(*compiled);
    return nvrtc_success;
}

// "sm_90" or "compute_90": the architecture number when this NVRTC knows it, else 0.
int architecture_of(const std::string& value, bool& cubin)
{
    int number = 0;
    char kind[16] = {};
    if (std::sscanf(value.c_str(), "%15[a-z]_%d", kind, &number) != 2 || std::ranges::find(supported, number) == std::end(supported))
    {
        return 0;
    }

    cubin = std::strcmp(kind, "sm") == 0;
    return cubin || std::strcmp(kind, "compute") == 0 ? number : 0;
}
}

extern "C"
{
const char* nvrtcGetErrorString(int result)
{
    switch (result)
    {
    case nvrtc_success: return "NVRTC_SUCCESS";
    case nvrtc_invalid_input: return "NVRTC_ERROR_INVALID_INPUT";
    case nvrtc_invalid_program: return "NVRTC_ERROR_INVALID_PROGRAM";
    case nvrtc_invalid_option: return "NVRTC_ERROR_INVALID_OPTION";
    case nvrtc_compilation: return "NVRTC_ERROR_COMPILATION";
    default: return "NVRTC_ERROR unknown";
    }
}

int nvrtcVersion(int* major, int* minor)
{
    if (major == nullptr || minor == nullptr)
    {
        return nvrtc_invalid_input;
    }

    *major = 13;
    *minor = 0;
    return nvrtc_success;
}

int nvrtcGetNumSupportedArchs(int* count)
{
    if (count == nullptr)
    {
        return nvrtc_invalid_input;
    }

    *count = static_cast<int>(std::size(supported));
    return nvrtc_success;
}

int nvrtcGetSupportedArchs(int* architectures)
{
    if (architectures == nullptr)
    {
        return nvrtc_invalid_input;
    }

    std::ranges::copy(supported, architectures);
    return nvrtc_success;
}

int nvrtcCreateProgram(void** handle, const char* source, const char*, int header_count, const char* const*, const char* const*)
{
    auto lock = enter();
    if (handle == nullptr || source == nullptr || header_count < 0)
    {
        return handle == nullptr ? nvrtc_invalid_program : nvrtc_invalid_input;
    }

    auto* created = programs.create();
    created->source = source;
    *handle = created;
    return nvrtc_success;
}

int nvrtcDestroyProgram(void** handle)
{
    auto lock = enter();
    if (handle == nullptr || !programs.destroy(*handle))
    {
        return nvrtc_invalid_program;
    }

    *handle = nullptr;
    return nvrtc_success;
}

int nvrtcCompileProgram(void* handle, int option_count, const char* const* options)
{
    auto lock = enter();
    auto* compiled = find(handle);
    if (compiled == nullptr)
    {
        return nvrtc_invalid_program;
    }

    if (option_count < 0 || (option_count > 0 && options == nullptr))
    {
        return nvrtc_invalid_input;
    }

    // NVRTC's options as the stand-in knows them: the architecture (given as one string or two), the
    // language standard and contraction switch CudaKernels passes, and a few harmless others.
    int architecture = 0;
    for (int i = 0; i < option_count; i++)
    {
        std::string option = options[i];
        if ((option == "--gpu-architecture" || option == "-arch") && i + 1 < option_count)
        {
            option += std::string("=") + options[++i];
        }

        const auto value = option.substr(option.find('=') + 1);
        const auto named = [&](std::initializer_list<const char*> names) { return std::ranges::any_of(names, [&](const char* name) { return option.starts_with(std::string(name) + "="); }); };
        bool known;
        if (named({"--gpu-architecture", "-arch"}))
        {
            known = (architecture = architecture_of(value, compiled->cubin)) != 0;
        }
        else if (named({"--std", "-std"}))
        {
            known = value == "c++03" || value == "c++11" || value == "c++14" || value == "c++17" || value == "c++20";
        }
        else if (named({"--fmad", "-fmad", "--ftz", "-ftz", "--prec-div", "-prec-div", "--prec-sqrt", "-prec-sqrt"}))
        {
            known = value == "true" || value == "false";
        }
        else
        {
            known = option == "--use_fast_math" || option == "-use_fast_math" || option == "-lineinfo" || option == "--generate-line-info"
                || option == "-default-device" || option == "--device-as-default-execution-space" || option.starts_with("-D") || option.starts_with("--define-macro=");
        }

        if (!known)
        {
            compiled->log = "nvrtc error: invalid option or value: " + option + "\n";
            return nvrtc_invalid_option;
        }
    }

    if (architecture == 0)
    {
        // CUDA 13's NVRTC defaults to its oldest architecture.
        architecture = supported[0];
        compiled->cubin = false;
    }

    if (compiled->source != built_source())
    {
        compiled->log = "cuda-on-cpu: this NVRTC accepts only the Kernels.cu it was built for (" KERNELS_ACCEPTED "), and this source differs\n";
        return nvrtc_compilation;
    }

    compiled->image = std::string("cuda-on-cpu ") + (compiled->cubin ? "sm_" : "compute_") + std::to_string(architecture) + "\n";
    compiled->log.clear();
    return nvrtc_success;
}

int nvrtcGetPTXSize(void* handle, std::size_t* size)
{
    auto lock = enter();
    return with_image(handle, [&](const program& compiled) { *size = compiled.image.size() + 1; });
}

int nvrtcGetPTX(void* handle, char* ptx)
{
    auto lock = enter();
    return with_image(handle, [&](const program& compiled) { std::memcpy(ptx, compiled.image.c_str(), compiled.image.size() + 1); });
}

int nvrtcGetCUBINSize(void* handle, std::size_t* size)
{
    auto lock = enter();
    // A program compiled for a virtual architecture has no CUBIN.
    return with_image(handle, [&](const program& compiled) { *size = compiled.cubin ? compiled.image.size() : 0; });
}

int nvrtcGetCUBIN(void* handle, char* cubin)
{
    auto lock = enter();
    auto* compiled = find(handle);
    if (compiled == nullptr || !compiled->cubin)
    {
        return nvrtc_invalid_program;
    }

    std::memcpy(cubin, compiled->image.data(), compiled->image.size());
    return nvrtc_success;
}

int nvrtcGetProgramLogSize(void* handle, std::size_t* size)
{
    auto lock = enter();
    auto* compiled = find(handle);
    if (compiled == nullptr)
    {
        return nvrtc_invalid_program;
    }

    *size = compiled->log.size() + 1;
    return nvrtc_success;
}

int nvrtcGetProgramLog(void* handle, char* log)
{
    auto lock = enter();
    auto* compiled = find(handle);
    if (compiled == nullptr)
    {
        return nvrtc_invalid_program;
    }

    std::memcpy(log, compiled->log.c_str(), compiled->log.size() + 1);
    return nvrtc_success;
}
}
