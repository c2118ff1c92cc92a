// The kernels of Kernels.cu, built for the CPU (kernel_host.cpp), for a library that launches them.
#pragma once
#include <functional>
#include <string>

namespace kernels_on_cpu
{
// CUresult values a launch can fail with.
constexpr int success = 0;
constexpr int invalid_value = 1;
constexpr int not_found = 500;
constexpr int illegal_address = 700;
constexpr int out_of_resources = 701;
// CUDA_ERROR_LAUNCH_FAILED: here, threads that wait on barriers no other thread will reach, a
// warp shuffle a device leaves undefined, or a result that depends on the order threads run in.
constexpr int launch_failed = 719;

// The kernel called `name`, or null.
const void* find(const char* name);

// Checks a launch's shape and copies its arguments now, as cuLaunchKernel does (kernelParams may
// point at the caller's locals); `launch` then runs the grid whenever it is called, and says why
// in its argument when it returns a failure.
int bind(const void* function, unsigned grid_x, unsigned grid_y, unsigned grid_z, unsigned block_x, unsigned block_y,
    unsigned block_z, unsigned shared_bytes, void** params, void** extra, std::function<int(std::string&)>& launch);
}
