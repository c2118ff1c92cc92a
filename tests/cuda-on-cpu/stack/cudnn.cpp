// libcudnn.so.9's legacy-API entry points that CudaBackend uses, computed on the CPU with the
// semantics of cuDNN 9's documentation: float32 NCHW tensors, output = alpha * result + beta *
// output (the output is not read when beta is 0), convolution algorithms found with their math
// types and workspaces, TF32 rounding for tensor-op algorithms. Values as in cudnn_graph.h,
// cudnn_ops.h and cudnn_cnn.h. Each op checks its descriptors and device ranges when called and
// runs when its stream is forced (runtime.h). To exercise both forward paths, the fused
// convolution declines inputs with an odd channel count.
#include "runtime.h"
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

using namespace stand_in;

namespace
{
enum cudnn_status : int
{
    ok = 0,
    not_initialised = 1001,
    bad_param = 2000,
    bad_param_null_pointer = 2002,
    not_supported = 3000,
    not_supported_shape = 3002,
    execution_failed = 5000,
};

constexpr int format_nchw = 0;
constexpr int data_float = 0;
constexpr int mode_convolution = 0;
constexpr int mode_cross_correlation = 1;
constexpr int math_default = 0;
constexpr int math_tensor_op = 1;
constexpr int math_fma = 3;
constexpr int pooling_max = 0;
constexpr int pooling_max_deterministic = 3;
constexpr int activation_relu = 1;
constexpr int activation_identity = 5;
constexpr int batch_norm_spatial = 1;
// CUDNN_BN_MIN_EPSILON: 1e-5 up to cuDNN 7, 0.0 since cuDNN 8.
constexpr double min_epsilon = 0.0;

struct tensor
{
    int n = 0, c = 0, h = 0, w = 0;
    bool set = false;

    std::size_t count() const { return static_cast<std::size_t>(n) * c * h * w; }
    bool same_dims(const tensor& other) const { return n == other.n && c == other.c && h == other.h && w == other.w; }
    bool channel_vector(int channels) const { return n == 1 && c == channels && h == 1 && w == 1; }
};

struct filter
{
    int k = 0, c = 0, h = 0, w = 0;
    bool set = false;

    std::size_t count() const { return static_cast<std::size_t>(k) * c * h * w; }
};

struct convolution
{
    int pad_h = 0, pad_w = 0, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1, mode = 0, compute = 0;
    int math = math_default;
    bool set = false;
};

struct pooling
{
    int mode = 0, nan = 0, window_h = 0, window_w = 0, pad_h = 0, pad_w = 0, stride_h = 1, stride_w = 1;
    bool set = false;
};

struct activation
{
    int mode = 0, nan = 0;
    double coefficient = 0;
    bool set = false;
};

struct library_handle
{
    stream* on;
};

// cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t.
struct algorithm_performance
{
    int algo;
    int status;
    float time;
    std::size_t memory;
    int determinism;
    int math_type;
    int reserved[3];
};
static_assert(sizeof(algorithm_performance) == 48);

struct algorithm
{
    int id;
    int status;
    float milliseconds;
    std::size_t workspace;
    int determinism;
    int math;
};

// What Find reports, fastest first: one that is not supported, tensor-op ones (TF32 on float
// data) with a workspace, one reported as default math (TF32 on float data where the descriptor
// leaves the math to cuDNN, as on sm_80 and later), and strict FMA ones with and without a
// workspace. As with cuDNN's atomics-based backward algorithms, a backward pass's fastest choice
// in one precision or the other is non-deterministic, with a slower deterministic one beside it.
const std::vector<algorithm> forward_algorithms = {
    {3, not_supported, -1.0f, 0, 1, math_default},
    {1, ok, 0.05f, std::size_t{1} << 20, 1, math_tensor_op},
    {6, ok, 0.07f, 0, 1, math_default},
    {0, ok, 0.08f, 0, 1, math_fma},
    {2, ok, 0.12f, std::size_t{4} << 20, 1, math_fma},
};
const std::vector<algorithm> backward_data_algorithms = {
    {1, ok, 0.06f, std::size_t{512} << 10, 1, math_tensor_op},
    {0, ok, 0.09f, 0, 0, math_fma},
    {4, ok, 0.11f, 0, 1, math_fma},
    {5, not_supported, -1.0f, 0, 1, math_default},
};
const std::vector<algorithm> backward_filter_algorithms = {
    {3, ok, 0.07f, std::size_t{256} << 10, 0, math_tensor_op},
    {1, ok, 0.10f, std::size_t{64} << 10, 1, math_fma},
    {0, ok, 0.15f, 0, 0, math_fma},
};

// What the heuristics (Get_v7) rank first, before the table's algorithms: an algorithm that,
// untried, looks fit but that cuDNN then refuses for this shape (its workspace query fails), as
// cuDNN's heuristics may offer.
const algorithm forward_misfit = {7, ok, -1.0f, 0, 1, math_fma};
const algorithm backward_data_misfit = {3, ok, -1.0f, 0, 1, math_fma};
const algorithm backward_filter_misfit = {5, ok, -1.0f, 0, 1, math_fma};

// A descriptor or handle created as cuDNN's create functions do: a null out pointer is refused.
template <class T>
int create_in(registry<T>& live, void** handle)
{
    if (handle == nullptr)
    {
        return bad_param_null_pointer;
    }

    *handle = live.create();
    return ok;
}

// Destroying null is allowed, as in cuDNN; any other handle must be live.
template <class T>
int destroy_in(registry<T>& live, void* handle)
{
    return handle == nullptr || live.destroy(handle) ? ok : bad_param;
}

registry<library_handle> handles;
registry<tensor> tensors;
registry<filter> filters;
registry<convolution> convolutions;
registry<pooling> poolings;
registry<activation> activations;
std::string last_error;

// Every entry point but cudnnGetLastErrorString starts here: the last error is the latest call's.
std::unique_lock<std::recursive_mutex> begin_call()
{
    auto lock = enter();
    last_error.clear();
    return lock;
}

int refuse(int status, const std::string& why)
{
    last_error = why;
    return status;
}

// CUDA_ON_CPU_FAIL_FUSED=STATUS[:FROM] fails every fused convolution from the FROM-th call on
// (default: the first) with STATUS, as cuDNN does for some shapes on sm_90 (bad-parameter and
// runtime-compilation statuses, 2000 and 4000 ranges). Returns 0 for a call that goes ahead.
int injected_fused_failure()
{
    static const std::pair<int, long> chosen = []
    {
        const char* text = std::getenv("CUDA_ON_CPU_FAIL_FUSED");
        if (text == nullptr)
        {
            return std::pair<int, long>{0, 0};
        }

        char* end = nullptr;
        const int status = static_cast<int>(std::strtol(text, &end, 10));
        return std::pair<int, long>{status, *end == ':' ? std::strtol(end + 1, nullptr, 10) : 1};
    }();
    static long calls = 0;
    return chosen.first != 0 && ++calls >= chosen.second ? chosen.first : 0;
}

// A descriptor's contents as the op sees them now (a later set does not change a queued op).
template <class T>
bool read(registry<T>& from, void* handle, T& into)
{
    const T* found = from.find(handle);
    if (found == nullptr || !found->set)
    {
        return false;
    }

    into = *found;
    return true;
}

bool in_device(std::uint64_t address, std::size_t floats, const char* what)
{
    std::string complaint;
    if (device_range(address, floats * sizeof(float), what, &complaint))
    {
        return true;
    }

    last_error = complaint;
    return false;
}

float* at(std::uint64_t address) { return reinterpret_cast<float*>(address); }

// alpha * result + beta * output, without reading the output when beta is 0.
void blend(float* output, const std::vector<double>& result, float alpha, float beta)
{
    for (std::size_t i = 0; i < result.size(); i++)
    {
        output[i] = beta == 0.0f ? static_cast<float>(alpha * result[i]) : static_cast<float>(alpha * result[i] + beta * output[i]);
    }
}

bool scalars(const float* a, const float* b, float& alpha, float& beta)
{
    if (a == nullptr || b == nullptr)
    {
        return false;
    }

    alpha = *a;
    beta = *b;
    return true;
}

library_handle* handle_of(void* handle) { return handles.find(handle); }

// One convolution's shapes, checked against each other as cuDNN does.
struct geometry
{
    tensor x;
    filter w;
    tensor y;
    convolution conv;

    int input_row(int p, int r) const { return p * conv.stride_h - conv.pad_h + r * conv.dilation_h; }
    int input_column(int q, int s) const { return q * conv.stride_w - conv.pad_w + s * conv.dilation_w; }

    // The filter tap used at (r, s): flipped for true convolution, as is for cross-correlation.
    std::size_t tap(int k, int c, int r, int s) const
    {
        if (conv.mode == mode_convolution)
        {
            r = w.h - 1 - r;
            s = w.w - 1 - s;
        }

        return ((static_cast<std::size_t>(k) * w.c + c) * w.h + r) * w.w + s;
    }

    std::size_t x_index(int n, int c, int h, int col) const { return ((static_cast<std::size_t>(n) * x.c + c) * x.h + h) * x.w + col; }
    std::size_t y_index(int n, int k, int p, int q) const { return ((static_cast<std::size_t>(n) * y.c + k) * y.h + p) * y.w + q; }

    // Calls visit(x index, filter index, y index) for every multiply of the convolution, the output
    // column innermost so that the loop stays cheap.
    template <class Visit>
    void each(Visit visit) const
    {
        for (int n = 0; n < x.n; n++)
            for (int k = 0; k < w.k; k++)
                for (int c = 0; c < w.c; c++)
                    for (int r = 0; r < w.h; r++)
                        for (int s = 0; s < w.w; s++)
                        {
                            const std::size_t wi = tap(k, c, r, s);
                            for (int p = 0; p < y.h; p++)
                            {
                                const int h = input_row(p, r);
                                if (h < 0 || h >= x.h)
                                {
                                    continue;
                                }

                                const std::size_t x_row = x_index(n, c, h, 0), y_row = y_index(n, k, p, 0);
                                for (int q = 0; q < y.w; q++)
                                {
                                    const int col = input_column(q, s);
                                    if (col >= 0 && col < x.w)
                                    {
                                        visit(x_row + col, wi, y_row + q);
                                    }
                                }
                            }
                        }
    }
};

int make_geometry(void* x_handle, void* w_handle, void* conv_handle, void* y_handle, geometry& g)
{
    if (!read(tensors, x_handle, g.x) || !read(filters, w_handle, g.w) || !read(convolutions, conv_handle, g.conv) || !read(tensors, y_handle, g.y))
    {
        return refuse(bad_param, "a descriptor is unknown or was never set");
    }

    const auto extent = [](int input, int pad, int window, int dilation, int stride) { return (input + 2 * pad - ((window - 1) * dilation + 1)) / stride + 1; };
    const int p = extent(g.x.h, g.conv.pad_h, g.w.h, g.conv.dilation_h, g.conv.stride_h);
    const int q = extent(g.x.w, g.conv.pad_w, g.w.w, g.conv.dilation_w, g.conv.stride_w);
    if (g.x.c != g.w.c || g.y.n != g.x.n || g.y.c != g.w.k || g.y.h != p || g.y.w != q)
    {
        return refuse(bad_param, "x, w and y descriptors do not describe one convolution: y should be " + std::to_string(g.x.n) + "x" +
            std::to_string(g.w.k) + "x" + std::to_string(p) + "x" + std::to_string(q) + " and x's channels equal w's");
    }

    return ok;
}

const algorithm* find_algorithm(const std::vector<algorithm>& table, int id)
{
    const auto found = std::ranges::find_if(table, [&](const algorithm& a) { return a.id == id && a.status == ok; });
    return found == table.end() ? nullptr : &*found;
}

// The checks of an op run with an algorithm; `tensor_ops` says whether it reads its inputs as TF32,
// `nondeterministic` whether Find and Get_v7 call it so.
int usable(const std::vector<algorithm>& table, int id, const convolution& conv, std::uint64_t workspace, std::size_t workspace_bytes, bool& tensor_ops,
    bool& nondeterministic)
{
    const auto* chosen = find_algorithm(table, id);
    if (chosen == nullptr)
    {
        return refuse(not_supported, "algorithm " + std::to_string(id) + " is not supported for this convolution");
    }

    if (chosen->math == math_tensor_op && conv.math == math_fma)
    {
        return refuse(not_supported, "a tensor-op algorithm with a convolution descriptor that asks for FMA math");
    }

    if (workspace_bytes < chosen->workspace)
    {
        return refuse(bad_param, "the workspace is " + std::to_string(workspace_bytes) + " bytes; algorithm " + std::to_string(id) + " needs " +
            std::to_string(chosen->workspace));
    }

    if (chosen->workspace > 0 && !in_device(workspace, chosen->workspace / sizeof(float), "workspace"))
    {
        return bad_param;
    }

    tensor_ops = chosen->math == math_tensor_op || (chosen->math == math_default && conv.math == math_default);
    nondeterministic = chosen->determinism == 0;
    if (nondeterministic)
    {
        tally(counter::nondeterministic_convolutions);
    }

    return ok;
}

// Find (timed) or Get_v7 (heuristics: `misfit` first, then the table's order): x, w, y name the
// convolution's descriptors in forward terms.
int rank_algorithms(void* handle, void* xd, void* wd, void* cd, void* yd, const std::vector<algorithm>& table, const algorithm* misfit,
    int requested, int* returned, algorithm_performance* results)
{
    geometry g;
    if (handle_of(handle) == nullptr || requested < 1 || returned == nullptr || results == nullptr)
    {
        return bad_param;
    }

    if (const int status = make_geometry(xd, wd, cd, yd, g); status != ok)
    {
        return status;
    }

    const auto& conv = g.conv;

    std::vector<algorithm> ranked;
    if (misfit == nullptr)
    {
        // Find runs every candidate, so the device is synchronised first.
        run_everything();
        tally(counter::timed_searches);
    }
    else
    {
        ranked.push_back(*misfit);
    }

    ranked.insert(ranked.end(), table.begin(), table.end());
    int count = 0;
    for (const auto& candidate : ranked)
    {
        if (count == requested || (candidate.math == math_tensor_op && conv.math == math_fma))
        {
            continue;
        }

        results[count++] = {candidate.id, candidate.status, candidate.milliseconds, candidate.workspace, candidate.determinism, candidate.math, {}};
    }

    *returned = count;
    return ok;
}

int workspace_size(const std::vector<algorithm>& table, int id, std::size_t* bytes)
{
    const auto* chosen = find_algorithm(table, id);
    if (chosen == nullptr || bytes == nullptr)
    {
        return chosen == nullptr ? refuse(not_supported, "algorithm " + std::to_string(id) + " is not supported") : bad_param;
    }

    *bytes = chosen->workspace;
    return ok;
}

// Queues an op on the handle's stream; checks for the handle and a sticky device error first.
template <class Work>
int queue(void* handle, Work work)
{
    auto* owner = handle_of(handle);
    if (owner == nullptr)
    {
        return bad_param;
    }

    if (sticky_error() != success)
    {
        return refuse(execution_failed, "the device had already failed");
    }

    enqueue(*owner->on, std::move(work));
    return ok;
}

// An op's operand as the algorithm reads it: rounded to TF32 by tensor-op algorithms.
std::vector<float> operand(std::uint64_t address, std::size_t count, bool tensor_ops)
{
    std::vector<float> values(at(address), at(address) + count);
    if (tensor_ops)
    {
        std::ranges::transform(values, values.begin(), tf32);
    }

    return values;
}

// A convolution op's call, checked: its shapes, alpha and beta, whether its algorithm reads the
// operands as TF32, and whether it is one Find and Get_v7 call non-deterministic.
struct convolution_call
{
    geometry g;
    float alpha = 1.0f;
    float beta = 0.0f;
    bool tensor_ops = false;
    bool nondeterministic = false;
};

// x, w and y name the descriptors and data in forward terms (a backward pass's dx is x, and so on).
int check_convolution(const float* alpha_pointer, const float* beta_pointer, void* xd, std::uint64_t x, void* wd, std::uint64_t w, void* cd,
    void* yd, std::uint64_t y, const std::vector<algorithm>& table, int algo, std::uint64_t workspace, std::size_t workspace_bytes,
    convolution_call& call)
{
    if (!scalars(alpha_pointer, beta_pointer, call.alpha, call.beta))
    {
        return bad_param_null_pointer;
    }

    if (const int status = make_geometry(xd, wd, cd, yd, call.g); status != ok)
    {
        return status;
    }

    if (const int status = usable(table, algo, call.g.conv, workspace, workspace_bytes, call.tensor_ops, call.nondeterministic); status != ok)
    {
        return status;
    }

    const auto& g = call.g;
    if (!in_device(x, g.x.count(), "convolution x (dx)") || !in_device(w, g.w.count(), "convolution w (dw)") || !in_device(y, g.y.count(), "convolution y (dy)"))
    {
        return bad_param;
    }

    const auto overlap = [](std::uint64_t a, std::size_t a_floats, std::uint64_t b, std::size_t b_floats)
    {
        return a < b + b_floats * sizeof(float) && b < a + a_floats * sizeof(float);
    };
    return overlap(x, g.x.count(), y, g.y.count()) || overlap(x, g.x.count(), w, g.w.count()) || overlap(w, g.w.count(), y, g.y.count())
        ? refuse(bad_param, "convolution: x, w and y overlap (cuDNN convolutions do not run in place)")
        : ok;
}

// The forward convolution's sums, before alpha, beta, bias or activation.
std::vector<double> correlate(const convolution_call& call, std::uint64_t x, std::uint64_t w)
{
    const auto& g = call.g;
    const auto xs = operand(x, g.x.count(), call.tensor_ops), ws = operand(w, g.w.count(), call.tensor_ops);
    std::vector<double> sum(g.y.count());
    g.each([&](std::size_t xi, std::size_t wi, std::size_t yi) { sum[yi] += static_cast<double>(xs[xi]) * ws[wi]; });
    return sum;
}

struct batch_statistics
{
    std::vector<double> mean;
    std::vector<double> variance;
};

// Mean and biased variance per channel over N, H and W.
batch_statistics statistics(const tensor& d, const float* x)
{
    batch_statistics s{std::vector<double>(d.c), std::vector<double>(d.c)};
    const std::size_t plane = static_cast<std::size_t>(d.h) * d.w;
    const double m = static_cast<double>(d.n) * plane;
    for (int c = 0; c < d.c; c++)
    {
        double sum = 0, squares = 0;
        for (int n = 0; n < d.n; n++)
        {
            const float* values = x + (static_cast<std::size_t>(n) * d.c + c) * plane;
            for (std::size_t i = 0; i < plane; i++)
            {
                sum += values[i];
                squares += static_cast<double>(values[i]) * values[i];
            }
        }

        s.mean[c] = sum / m;
        s.variance[c] = std::max(0.0, squares / m - s.mean[c] * s.mean[c]);
    }

    return s;
}

// Calls visit(channel, element index) for every element of an NCHW tensor.
template <class Visit>
void per_channel(const tensor& d, Visit visit)
{
    const std::size_t plane = static_cast<std::size_t>(d.h) * d.w;
    for (int n = 0; n < d.n; n++)
        for (int c = 0; c < d.c; c++)
            for (std::size_t i = 0; i < plane; i++)
            {
                visit(c, (static_cast<std::size_t>(n) * d.c + c) * plane + i);
            }
}

// The checks of a pooling call: the descriptors, y shaped as the pooling of x, and max pooling.
int check_pooling(void* pd, void* xd, void* yd, pooling& pool, tensor& in, tensor& out)
{
    if (!read(poolings, pd, pool) || !read(tensors, xd, in) || !read(tensors, yd, out))
    {
        return refuse(bad_param, "pooling: a descriptor is unknown or was never set");
    }

    const int p = (in.h + 2 * pool.pad_h - pool.window_h) / pool.stride_h + 1;
    const int q = (in.w + 2 * pool.pad_w - pool.window_w) / pool.stride_w + 1;
    if (out.n != in.n || out.c != in.c || out.h != p || out.w != q)
    {
        return refuse(bad_param, "pooling: y should be " + std::to_string(in.n) + "x" + std::to_string(in.c) + "x" + std::to_string(p) + "x" + std::to_string(q));
    }

    return pool.mode != pooling_max && pool.mode != pooling_max_deterministic ? refuse(not_supported, "cuda-on-cpu simulates max pooling only") : ok;
}

// The checks every batch norm call makes: the scalars, the descriptors (y is dy for the backward
// pass) and what they describe, and epsilon; x's shape comes back.
int check_batch_norm(int mode, const float* alpha_pointer, const float* beta_pointer, void* xd, void* yd, void* pd, double epsilon, tensor& x,
    float& alpha, float& beta)
{
    tensor y, parameters;
    if (!scalars(alpha_pointer, beta_pointer, alpha, beta))
    {
        return bad_param_null_pointer;
    }

    if (!read(tensors, xd, x) || !read(tensors, yd, y) || !read(tensors, pd, parameters))
    {
        return bad_param;
    }

    if (mode != batch_norm_spatial)
    {
        return refuse(not_supported, "only spatial batch normalisation is simulated");
    }

    if (!x.same_dims(y) || !parameters.channel_vector(x.c))
    {
        return refuse(bad_param, "batch norm: x and y differ, or the scale/bias descriptor is not 1xCx1x1");
    }

    return epsilon < min_epsilon ? refuse(bad_param, "batch norm epsilon below CUDNN_BN_MIN_EPSILON (0)") : ok;
}

// Tensors and filters alike: four positive dimensions of float32 in NCHW (for a filter, KCRS).
template <class Shape>
int set_4d(registry<Shape>& live, void* d, int format, int data_type, int outer, int c, int h, int w, const char* what, const char* layout)
{
    auto lock = begin_call();
    auto* target = live.find(d);
    if (target == nullptr || outer <= 0 || c <= 0 || h <= 0 || w <= 0)
    {
        return refuse(bad_param, std::string(what) + " descriptor: unknown, or a dimension is not positive");
    }

    if (format != format_nchw || data_type != data_float)
    {
        return refuse(not_supported, std::string("cuda-on-cpu simulates float32 ") + layout + " only");
    }

    *target = {outer, c, h, w, true};
    return ok;
}
}

extern "C"
{
std::size_t cudnnGetVersion() { return 91000; }

std::size_t cudnnGetCudartVersion() { return 13000; }

const char* cudnnGetErrorString(int status)
{
    switch (status)
    {
    case ok: return "CUDNN_STATUS_SUCCESS";
    case not_initialised: return "CUDNN_STATUS_NOT_INITIALIZED";
    case bad_param: return "CUDNN_STATUS_BAD_PARAM";
    case bad_param_null_pointer: return "CUDNN_STATUS_BAD_PARAM_NULL_POINTER";
    case not_supported: return "CUDNN_STATUS_NOT_SUPPORTED";
    case not_supported_shape: return "CUDNN_STATUS_NOT_SUPPORTED_SHAPE";
    case execution_failed: return "CUDNN_STATUS_EXECUTION_FAILED";
    default: return "CUDNN_STATUS_UNKNOWN";
    }
}

void cudnnGetLastErrorString(char* message, std::size_t max_size)
{
    auto lock = enter();
    if (message != nullptr && max_size > 0)
    {
        std::snprintf(message, max_size, "%s", last_error.c_str());
    }
}

int cudnnCreate(void** handle)
{
    auto lock = begin_call();
    if (const int status = create_in(handles, handle); status != ok)
    {
        return status;
    }

    static_cast<library_handle*>(*handle)->on = find_stream(nullptr);
    return ok;
}

int cudnnDestroy(void* handle)
{
    auto lock = begin_call();
    return destroy_in(handles, handle);
}

int cudnnSetStream(void* handle, void* stream_handle)
{
    auto lock = begin_call();
    auto* owner = handle_of(handle);
    auto* on = find_stream(stream_handle);
    if (owner == nullptr || on == nullptr)
    {
        return bad_param;
    }

    owner->on = on;
    return ok;
}

int cudnnCreateTensorDescriptor(void** d) { auto lock = begin_call(); return create_in(tensors, d); }
int cudnnDestroyTensorDescriptor(void* d) { auto lock = begin_call(); return destroy_in(tensors, d); }
int cudnnCreateFilterDescriptor(void** d) { auto lock = begin_call(); return create_in(filters, d); }
int cudnnDestroyFilterDescriptor(void* d) { auto lock = begin_call(); return destroy_in(filters, d); }
int cudnnCreateConvolutionDescriptor(void** d) { auto lock = begin_call(); return create_in(convolutions, d); }
int cudnnDestroyConvolutionDescriptor(void* d) { auto lock = begin_call(); return destroy_in(convolutions, d); }
int cudnnCreatePoolingDescriptor(void** d) { auto lock = begin_call(); return create_in(poolings, d); }
int cudnnDestroyPoolingDescriptor(void* d) { auto lock = begin_call(); return destroy_in(poolings, d); }
int cudnnCreateActivationDescriptor(void** d) { auto lock = begin_call(); return create_in(activations, d); }
int cudnnDestroyActivationDescriptor(void* d) { auto lock = begin_call(); return destroy_in(activations, d); }

// The two setters take the format and the data type in opposite orders, as cudnn_graph.h declares them.
int cudnnSetTensor4dDescriptor(void* d, int format, int data_type, int n, int c, int h, int w)
{
    return set_4d(tensors, d, format, data_type, n, c, h, w, "tensor", "NCHW tensors");
}

int cudnnSetFilter4dDescriptor(void* d, int data_type, int format, int k, int c, int h, int w)
{
    return set_4d(filters, d, format, data_type, k, c, h, w, "filter", "NCHW (KCRS) filters");
}

int cudnnSetConvolution2dDescriptor(void* d, int pad_h, int pad_w, int stride_h, int stride_w, int dilation_h, int dilation_w, int mode, int compute)
{
    auto lock = begin_call();
    auto* target = convolutions.find(d);
    if (target == nullptr || pad_h < 0 || pad_w < 0 || stride_h <= 0 || stride_w <= 0 || dilation_h <= 0 || dilation_w <= 0
        || (mode != mode_convolution && mode != mode_cross_correlation))
    {
        return refuse(bad_param, "convolution descriptor: unknown, or a negative pad, a non-positive stride or dilation, or an unknown mode");
    }

    if (compute != data_float)
    {
        return refuse(not_supported, "cuda-on-cpu simulates float32 accumulation only");
    }

    *target = {pad_h, pad_w, stride_h, stride_w, dilation_h, dilation_w, mode, compute, target->math, true};
    return ok;
}

int cudnnSetConvolutionMathType(void* d, int math)
{
    auto lock = begin_call();
    auto* target = convolutions.find(d);
    if (target == nullptr || math < math_default || math > math_fma)
    {
        return bad_param;
    }

    target->math = math;
    return ok;
}

int cudnnSetPooling2dDescriptor(void* d, int mode, int nan, int window_h, int window_w, int pad_h, int pad_w, int stride_h, int stride_w)
{
    auto lock = begin_call();
    auto* target = poolings.find(d);
    if (target == nullptr || mode < 0 || mode > 3 || nan < 0 || nan > 1 || window_h <= 0 || window_w <= 0 || pad_h < 0 || pad_w < 0
        || stride_h <= 0 || stride_w <= 0)
    {
        return refuse(bad_param, "pooling descriptor: unknown, or a value out of range");
    }

    *target = {mode, nan, window_h, window_w, pad_h, pad_w, stride_h, stride_w, true};
    return ok;
}

int cudnnSetActivationDescriptor(void* d, int mode, int nan, double coefficient)
{
    auto lock = begin_call();
    auto* target = activations.find(d);
    if (target == nullptr || mode < 0 || mode > 6 || nan < 0 || nan > 1)
    {
        return refuse(bad_param, "activation descriptor: unknown, or a value out of range");
    }

    *target = {mode, nan, coefficient, true};
    return ok;
}

int cudnnGetConvolutionForwardAlgorithmMaxCount(void*, int* count) { *count = 8; return ok; }
int cudnnGetConvolutionBackwardDataAlgorithmMaxCount(void*, int* count) { *count = 6; return ok; }
int cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(void*, int* count) { *count = 7; return ok; }

int cudnnFindConvolutionForwardAlgorithm(void* handle, void* xd, void* wd, void* cd, void* yd, int requested, int* returned, algorithm_performance* results)
{
    auto lock = begin_call();
    return rank_algorithms(handle, xd, wd, cd, yd, forward_algorithms, nullptr, requested, returned, results);
}

int cudnnFindConvolutionBackwardDataAlgorithm(void* handle, void* wd, void* dyd, void* cd, void* dxd, int requested, int* returned,
    algorithm_performance* results)
{
    auto lock = begin_call();
    return rank_algorithms(handle, dxd, wd, cd, dyd, backward_data_algorithms, nullptr, requested, returned, results);
}

int cudnnFindConvolutionBackwardFilterAlgorithm(void* handle, void* xd, void* dyd, void* cd, void* dwd, int requested, int* returned,
    algorithm_performance* results)
{
    auto lock = begin_call();
    return rank_algorithms(handle, xd, dwd, cd, dyd, backward_filter_algorithms, nullptr, requested, returned, results);
}

int cudnnGetConvolutionForwardAlgorithm_v7(void* handle, void* xd, void* wd, void* cd, void* yd, int requested, int* returned,
    algorithm_performance* results)
{
    auto lock = begin_call();
    return rank_algorithms(handle, xd, wd, cd, yd, forward_algorithms, &forward_misfit, requested, returned, results);
}

int cudnnGetConvolutionBackwardDataAlgorithm_v7(void* handle, void* wd, void* dyd, void* cd, void* dxd, int requested, int* returned,
    algorithm_performance* results)
{
    auto lock = begin_call();
    return rank_algorithms(handle, dxd, wd, cd, dyd, backward_data_algorithms, &backward_data_misfit, requested, returned, results);
}

int cudnnGetConvolutionBackwardFilterAlgorithm_v7(void* handle, void* xd, void* dyd, void* cd, void* dwd, int requested, int* returned,
    algorithm_performance* results)
{
    auto lock = begin_call();
    return rank_algorithms(handle, xd, dwd, cd, dyd, backward_filter_algorithms, &backward_filter_misfit, requested, returned, results);
}

int cudnnGetConvolutionForwardWorkspaceSize(void* handle, void* xd, void* wd, void* cd, void* yd, int algo, std::size_t* bytes)
{
    auto lock = begin_call();
    geometry g;
    const int status = handle_of(handle) == nullptr ? bad_param : make_geometry(xd, wd, cd, yd, g);
    return status != ok ? status : workspace_size(forward_algorithms, algo, bytes);
}

int cudnnGetConvolutionBackwardDataWorkspaceSize(void* handle, void* wd, void* dyd, void* cd, void* dxd, int algo, std::size_t* bytes)
{
    auto lock = begin_call();
    geometry g;
    const int status = handle_of(handle) == nullptr ? bad_param : make_geometry(dxd, wd, cd, dyd, g);
    return status != ok ? status : workspace_size(backward_data_algorithms, algo, bytes);
}

int cudnnGetConvolutionBackwardFilterWorkspaceSize(void* handle, void* xd, void* dyd, void* cd, void* dwd, int algo, std::size_t* bytes)
{
    auto lock = begin_call();
    geometry g;
    const int status = handle_of(handle) == nullptr ? bad_param : make_geometry(xd, dwd, cd, dyd, g);
    return status != ok ? status : workspace_size(backward_filter_algorithms, algo, bytes);
}

int cudnnConvolutionForward(void* handle, const float* alpha_pointer, void* xd, std::uint64_t x, void* wd, std::uint64_t w, void* cd, int algo,
    std::uint64_t workspace, std::size_t workspace_bytes, const float* beta_pointer, void* yd, std::uint64_t y)
{
    auto lock = begin_call();
    convolution_call call;
    const int status = check_convolution(alpha_pointer, beta_pointer, xd, x, wd, w, cd, yd, y, forward_algorithms, algo, workspace, workspace_bytes, call);
    return status != ok ? status : queue(handle, [=] { blend(at(y), correlate(call, x, w), call.alpha, call.beta); });
}

int cudnnConvolutionBiasActivationForward(void* handle, const float* alpha1_pointer, void* xd, std::uint64_t x, void* wd, std::uint64_t w, void* cd,
    int algo, std::uint64_t workspace, std::size_t workspace_bytes, const float* alpha2_pointer, void* zd, std::uint64_t z, void* bd, std::uint64_t bias,
    void* ad, void* yd, std::uint64_t y)
{
    auto lock = begin_call();
    convolution_call call;
    tensor z_shape, bias_shape;
    activation act;
    // alpha1 scales the convolution and alpha2 the z input: they arrive where alpha and beta do.
    if (const int status = check_convolution(alpha1_pointer, alpha2_pointer, xd, x, wd, w, cd, yd, y, forward_algorithms, algo, workspace,
        workspace_bytes, call); status != ok)
    {
        return status;
    }

    if (const int injected = injected_fused_failure(); injected != 0)
    {
        return refuse(injected, "cuda-on-cpu failed this fused convolution as CUDA_ON_CPU_FAIL_FUSED asked");
    }

    const auto& g = call.g;
    const float alpha1 = call.alpha, alpha2 = call.beta;
    if (!read(tensors, zd, z_shape) || !read(tensors, bd, bias_shape) || !read(activations, ad, act) || !z_shape.same_dims(g.y)
        || !bias_shape.channel_vector(g.w.k))
    {
        return refuse(bad_param, "fused convolution: z must be shaped as y and the bias 1xKx1x1");
    }

    if (act.mode != activation_relu && !(act.mode == activation_identity && algo == 1))
    {
        return refuse(not_supported, "fused convolution: ReLU, or identity with IMPLICIT_PRECOMP_GEMM, only");
    }

    if (g.w.k % 2 == 1)
    {
        return refuse(not_supported_shape, "cuda-on-cpu declines to fuse convolutions of an odd filter count");
    }

    if (!in_device(bias, static_cast<std::size_t>(g.w.k), "convolution bias") || (alpha2 != 0.0f && !in_device(z, g.y.count(), "convolution z")))
    {
        return bad_param;
    }

    return queue(handle, [=]
    {
        // z may be y: every output is computed before any is written.
        auto sum = correlate(call, x, w);
        const std::size_t plane = static_cast<std::size_t>(g.y.h) * g.y.w;
        for (std::size_t i = 0; i < sum.size(); i++)
        {
            double value = alpha1 * sum[i] + at(bias)[i / plane % g.w.k];
            if (alpha2 != 0.0f)
            {
                value += alpha2 * at(z)[i];
            }

            sum[i] = act.mode == activation_relu ? std::max(0.0, value) : value;
        }

        blend(at(y), sum, 1.0f, 0.0f);
    });
}

int cudnnConvolutionBackwardData(void* handle, const float* alpha_pointer, void* wd, std::uint64_t w, void* dyd, std::uint64_t dy, void* cd, int algo,
    std::uint64_t workspace, std::size_t workspace_bytes, const float* beta_pointer, void* dxd, std::uint64_t dx)
{
    auto lock = begin_call();
    convolution_call call;
    if (const int status = check_convolution(alpha_pointer, beta_pointer, dxd, dx, wd, w, cd, dyd, dy, backward_data_algorithms, algo, workspace,
        workspace_bytes, call); status != ok)
    {
        return status;
    }

    const auto& g = call.g;
    return queue(handle, [=]
    {
        const auto dys = operand(dy, g.y.count(), call.tensor_ops), ws = operand(w, g.w.count(), call.tensor_ops);
        std::vector<double> sum(g.x.count());
        g.each([&](std::size_t xi, std::size_t wi, std::size_t yi) { sum[xi] += static_cast<double>(dys[yi]) * ws[wi]; });
        blend(at(dx), sum, call.alpha, call.beta);
    });
}

int cudnnConvolutionBackwardFilter(void* handle, const float* alpha_pointer, void* xd, std::uint64_t x, void* dyd, std::uint64_t dy, void* cd, int algo,
    std::uint64_t workspace, std::size_t workspace_bytes, const float* beta_pointer, void* dwd, std::uint64_t dw)
{
    auto lock = begin_call();
    convolution_call call;
    if (const int status = check_convolution(alpha_pointer, beta_pointer, xd, x, dwd, dw, cd, dyd, dy, backward_filter_algorithms, algo, workspace,
        workspace_bytes, call); status != ok)
    {
        return status;
    }

    const auto& g = call.g;
    return queue(handle, [=]
    {
        const auto xs = operand(x, g.x.count(), call.tensor_ops), dys = operand(dy, g.y.count(), call.tensor_ops);
        std::vector<double> sum(g.w.count());
        if (!call.nondeterministic)
        {
            g.each([&](std::size_t xi, std::size_t wi, std::size_t yi) { sum[wi] += static_cast<double>(xs[xi]) * dys[yi]; });
            blend(at(dw), sum, call.alpha, call.beta);
            return;
        }

        // As an atomics-based algorithm adds each sample's share in whatever order its blocks finish:
        // each share summed in double and rounded to float, the shares added in float in a new order each call.
        std::vector<int> samples(static_cast<std::size_t>(g.x.n));
        std::iota(samples.begin(), samples.end(), 0);
        std::ranges::shuffle(samples, open_order());
        auto one = g;
        one.x.n = one.y.n = 1;
        const std::size_t x_sample = one.x.count(), y_sample = one.y.count();
        std::vector<float> added(g.w.count());
        for (const int n : samples)
        {
            std::ranges::fill(sum, 0.0);
            one.each([&](std::size_t xi, std::size_t wi, std::size_t yi) { sum[wi] += static_cast<double>(xs[n * x_sample + xi]) * dys[n * y_sample + yi]; });
            std::ranges::transform(added, sum, added.begin(), [](float total, double share) { return total + static_cast<float>(share); });
        }

        blend(at(dw), std::vector<double>(added.begin(), added.end()), call.alpha, call.beta);
    });
}

int cudnnConvolutionBackwardBias(void* handle, const float* alpha_pointer, void* dyd, std::uint64_t dy, const float* beta_pointer, void* dbd, std::uint64_t db)
{
    auto lock = begin_call();
    tensor gradient, bias;
    float alpha, beta;
    if (!scalars(alpha_pointer, beta_pointer, alpha, beta))
    {
        return bad_param_null_pointer;
    }

    if (!read(tensors, dyd, gradient) || !read(tensors, dbd, bias) || !bias.channel_vector(gradient.c))
    {
        return refuse(bad_param, "backward bias: the bias descriptor must be 1xCx1x1 for dy's C");
    }

    if (!in_device(dy, gradient.count(), "backward bias dy") || !in_device(db, bias.count(), "backward bias db"))
    {
        return bad_param;
    }

    return queue(handle, [=]
    {
        std::vector<double> sum(bias.count());
        per_channel(gradient, [&](int c, std::size_t i) { sum[c] += at(dy)[i]; });
        blend(at(db), sum, alpha, beta);
    });
}

int cudnnAddTensor(void* handle, const float* alpha_pointer, void* ad, std::uint64_t a, const float* beta_pointer, void* cd, std::uint64_t c)
{
    auto lock = begin_call();
    tensor added, output;
    float alpha, beta;
    if (!scalars(alpha_pointer, beta_pointer, alpha, beta))
    {
        return bad_param_null_pointer;
    }

    const auto fits = [](int from, int to) { return from == to || from == 1; };
    if (!read(tensors, ad, added) || !read(tensors, cd, output) || !fits(added.n, output.n) || !fits(added.c, output.c) || !fits(added.h, output.h)
        || !fits(added.w, output.w))
    {
        return refuse(bad_param, "add tensor: each of A's dimensions must equal C's or be 1");
    }

    if (!in_device(a, added.count(), "add tensor A") || !in_device(c, output.count(), "add tensor C"))
    {
        return bad_param;
    }

    return queue(handle, [=]
    {
        std::vector<double> broadcast(output.count());
        for (int n = 0; n < output.n; n++)
            for (int ch = 0; ch < output.c; ch++)
                for (int h = 0; h < output.h; h++)
                    for (int w = 0; w < output.w; w++)
                    {
                        const std::size_t from = ((static_cast<std::size_t>(n % added.n) * added.c + ch % added.c) * added.h + h % added.h) * added.w + w % added.w;
                        broadcast[((static_cast<std::size_t>(n) * output.c + ch) * output.h + h) * output.w + w] = at(a)[from];
                    }

        blend(at(c), broadcast, alpha, beta);
    });
}

int cudnnActivationForward(void* handle, void* ad, const float* alpha_pointer, void* xd, std::uint64_t x, const float* beta_pointer, void* yd, std::uint64_t y)
{
    auto lock = begin_call();
    activation act;
    tensor in, out;
    float alpha, beta;
    if (!scalars(alpha_pointer, beta_pointer, alpha, beta))
    {
        return bad_param_null_pointer;
    }

    if (!read(activations, ad, act) || !read(tensors, xd, in) || !read(tensors, yd, out) || !in.same_dims(out))
    {
        return refuse(bad_param, "activation: x and y must have the same shape");
    }

    if (act.mode != activation_relu)
    {
        return refuse(not_supported, "cuda-on-cpu simulates ReLU only");
    }

    if (!in_device(x, in.count(), "activation x") || !in_device(y, out.count(), "activation y"))
    {
        return bad_param;
    }

    return queue(handle, [=]
    {
        std::vector<double> result(in.count());
        for (std::size_t i = 0; i < result.size(); i++)
        {
            result[i] = std::max(0.0f, at(x)[i]);
        }

        blend(at(y), result, alpha, beta);
    });
}

int cudnnActivationBackward(void* handle, void* ad, const float* alpha_pointer, void* yd, std::uint64_t y, void* dyd, std::uint64_t dy, void* xd,
    std::uint64_t x, const float* beta_pointer, void* dxd, std::uint64_t dx)
{
    auto lock = begin_call();
    activation act;
    tensor out, gradient, in, input_gradient;
    float alpha, beta;
    if (!scalars(alpha_pointer, beta_pointer, alpha, beta))
    {
        return bad_param_null_pointer;
    }

    if (!read(activations, ad, act) || !read(tensors, yd, out) || !read(tensors, dyd, gradient) || !read(tensors, xd, in)
        || !read(tensors, dxd, input_gradient) || !out.same_dims(gradient) || !out.same_dims(in) || !out.same_dims(input_gradient))
    {
        return refuse(bad_param, "activation backward: y, dy, x and dx must have the same shape");
    }

    if (act.mode != activation_relu)
    {
        return refuse(not_supported, "cuda-on-cpu simulates ReLU only");
    }

    if (!in_device(y, out.count(), "activation y") || !in_device(dy, out.count(), "activation dy") || !in_device(x, out.count(), "activation x")
        || !in_device(dx, out.count(), "activation dx"))
    {
        return bad_param;
    }

    return queue(handle, [=]
    {
        std::vector<double> result(out.count());
        for (std::size_t i = 0; i < result.size(); i++)
        {
            // Which of x and y cuDNN reads is not documented; for ReLU both give the mask, unless they are not a ReLU's input and output.
            if ((at(x)[i] > 0.0f) != (at(y)[i] > 0.0f))
            {
                fail("ReLU backward: x and y are not a ReLU's input and output (their signs disagree)");
                return;
            }

            result[i] = at(x)[i] > 0.0f ? at(dy)[i] : 0.0f;
        }

        blend(at(dx), result, alpha, beta);
    });
}

int cudnnPoolingForward(void* handle, void* pd, const float* alpha_pointer, void* xd, std::uint64_t x, const float* beta_pointer, void* yd, std::uint64_t y)
{
    auto lock = begin_call();
    pooling pool;
    tensor in, out;
    float alpha, beta;
    if (!scalars(alpha_pointer, beta_pointer, alpha, beta))
    {
        return bad_param_null_pointer;
    }

    if (const int status = check_pooling(pd, xd, yd, pool, in, out); status != ok)
    {
        return status;
    }

    if (!in_device(x, in.count(), "pooling x") || !in_device(y, out.count(), "pooling y"))
    {
        return bad_param;
    }

    return queue(handle, [=]
    {
        std::vector<double> result(out.count());
        for (int n = 0; n < out.n; n++)
            for (int c = 0; c < out.c; c++)
                for (int i = 0; i < out.h; i++)
                    for (int j = 0; j < out.w; j++)
                    {
                        float best = -std::numeric_limits<float>::infinity();
                        for (int r = 0; r < pool.window_h; r++)
                            for (int s = 0; s < pool.window_w; s++)
                            {
                                const int h = i * pool.stride_h - pool.pad_h + r, w = j * pool.stride_w - pool.pad_w + s;
                                if (h >= 0 && h < in.h && w >= 0 && w < in.w)
                                {
                                    best = std::max(best, at(x)[((static_cast<std::size_t>(n) * in.c + c) * in.h + h) * in.w + w]);
                                }
                            }

                        result[((static_cast<std::size_t>(n) * out.c + c) * out.h + i) * out.w + j] = best;
                    }

        blend(at(y), result, alpha, beta);
    });
}

int cudnnPoolingBackward(void* handle, void* pd, const float* alpha_pointer, void* yd, std::uint64_t y, void* dyd, std::uint64_t dy, void* xd,
    std::uint64_t x, const float* beta_pointer, void* dxd, std::uint64_t dx)
{
    auto lock = begin_call();
    pooling pool;
    tensor out, out_gradient, in, in_gradient;
    float alpha, beta;
    if (!scalars(alpha_pointer, beta_pointer, alpha, beta))
    {
        return bad_param_null_pointer;
    }

    if (const int status = check_pooling(pd, xd, yd, pool, in, out); status != ok)
    {
        return status;
    }

    if (!read(tensors, dyd, out_gradient) || !read(tensors, dxd, in_gradient) || !out.same_dims(out_gradient) || !in.same_dims(in_gradient))
    {
        return refuse(bad_param, "pooling backward: dy must be shaped as y and dx as x");
    }

    if (!in_device(y, out.count(), "pooling y") || !in_device(dy, out.count(), "pooling dy") || !in_device(x, in.count(), "pooling x")
        || !in_device(dx, in.count(), "pooling dx"))
    {
        return bad_param;
    }

    if (pool.mode == pooling_max)
    {
        // cuDNN lists this mode's backward pass among its non-reproducible routines.
        tally(counter::nondeterministic_poolings);
    }

    return queue(handle, [=]
    {
        // The gradient goes to the window's element equal to y, as cuDNN finds it; elements of no
        // window are left as they were.
        std::vector<double> gradient(in.count());
        std::vector<bool> covered(in.count());
        for (int n = 0; n < out.n; n++)
            for (int c = 0; c < out.c; c++)
                for (int i = 0; i < out.h; i++)
                    for (int j = 0; j < out.w; j++)
                    {
                        const std::size_t o = ((static_cast<std::size_t>(n) * out.c + c) * out.h + i) * out.w + j;
                        bool routed = false;
                        for (int r = 0; r < pool.window_h; r++)
                            for (int s = 0; s < pool.window_w; s++)
                            {
                                const int h = i * pool.stride_h - pool.pad_h + r, w = j * pool.stride_w - pool.pad_w + s;
                                if (h < 0 || h >= in.h || w < 0 || w >= in.w)
                                {
                                    continue;
                                }

                                const std::size_t e = ((static_cast<std::size_t>(n) * in.c + c) * in.h + h) * in.w + w;
                                covered[e] = true;
                                if (!routed && at(x)[e] == at(y)[o])
                                {
                                    gradient[e] += at(dy)[o];
                                    routed = true;
                                }
                            }

                        if (!routed)
                        {
                            fail("max pooling backward: y is not the max pooling of x (no element of a window equals it)");
                            return;
                        }
                    }

        for (std::size_t e = 0; e < gradient.size(); e++)
        {
            if (covered[e])
            {
                at(dx)[e] = beta == 0.0f ? static_cast<float>(alpha * gradient[e]) : static_cast<float>(alpha * gradient[e] + beta * at(dx)[e]);
            }
        }
    });
}

int cudnnBatchNormalizationForwardTraining(void* handle, int mode, const float* alpha_pointer, const float* beta_pointer, void* xd, std::uint64_t x,
    void* yd, std::uint64_t y, void* pd, std::uint64_t scale, std::uint64_t bias, double factor, std::uint64_t running_mean,
    std::uint64_t running_variance, double epsilon, std::uint64_t saved_mean, std::uint64_t saved_inverse_std)
{
    auto lock = begin_call();
    tensor in;
    float alpha, beta;
    if (const int status = check_batch_norm(mode, alpha_pointer, beta_pointer, xd, yd, pd, epsilon, in, alpha, beta); status != ok)
    {
        return status;
    }

    const std::size_t channels = static_cast<std::size_t>(in.c);
    if ((running_mean == 0) != (running_variance == 0) || (saved_mean == 0) != (saved_inverse_std == 0))
    {
        return refuse(bad_param, "batch norm: the running mean and variance, and the saved mean and inverse std, come in pairs");
    }

    if (!in_device(x, in.count(), "batch norm x") || !in_device(y, in.count(), "batch norm y") || !in_device(scale, channels, "batch norm scale")
        || !in_device(bias, channels, "batch norm bias") || (running_mean != 0 && (!in_device(running_mean, channels, "running mean")
        || !in_device(running_variance, channels, "running variance"))) || (saved_mean != 0 && (!in_device(saved_mean, channels, "saved mean")
        || !in_device(saved_inverse_std, channels, "saved inverse std"))))
    {
        return bad_param;
    }

    return queue(handle, [=]
    {
        const auto s = statistics(in, at(x));
        std::vector<double> result(in.count());
        std::vector<double> inverse_std(channels);
        for (std::size_t c = 0; c < channels; c++)
        {
            inverse_std[c] = 1.0 / std::sqrt(s.variance[c] + epsilon);
        }

        per_channel(in, [&](int c, std::size_t i) { result[i] = at(scale)[c] * (at(x)[i] - s.mean[c]) * inverse_std[c] + at(bias)[c]; });
        blend(at(y), result, alpha, beta);
        // The running variance takes the unbiased estimate; the saved statistics the biased one.
        const double m = static_cast<double>(in.count() / channels);
        for (std::size_t c = 0; c < channels; c++)
        {
            if (running_mean != 0)
            {
                at(running_mean)[c] = static_cast<float>((1 - factor) * at(running_mean)[c] + factor * s.mean[c]);
                at(running_variance)[c] = static_cast<float>((1 - factor) * at(running_variance)[c] + factor * s.variance[c] * m / std::max(1.0, m - 1));
            }

            if (saved_mean != 0)
            {
                at(saved_mean)[c] = static_cast<float>(s.mean[c]);
                at(saved_inverse_std)[c] = static_cast<float>(inverse_std[c]);
            }
        }
    });
}

int cudnnBatchNormalizationForwardInference(void* handle, int mode, const float* alpha_pointer, const float* beta_pointer, void* xd, std::uint64_t x,
    void* yd, std::uint64_t y, void* pd, std::uint64_t scale, std::uint64_t bias, std::uint64_t mean, std::uint64_t variance, double epsilon)
{
    auto lock = begin_call();
    tensor in;
    float alpha, beta;
    if (const int status = check_batch_norm(mode, alpha_pointer, beta_pointer, xd, yd, pd, epsilon, in, alpha, beta); status != ok)
    {
        return status;
    }

    const std::size_t channels = static_cast<std::size_t>(in.c);
    if (!in_device(x, in.count(), "batch norm x") || !in_device(y, in.count(), "batch norm y") || !in_device(scale, channels, "batch norm scale")
        || !in_device(bias, channels, "batch norm bias") || !in_device(mean, channels, "estimated mean") || !in_device(variance, channels, "estimated variance"))
    {
        return bad_param;
    }

    return queue(handle, [=]
    {
        std::vector<double> result(in.count());
        per_channel(in, [&](int c, std::size_t i)
        {
            result[i] = at(scale)[c] * (at(x)[i] - at(mean)[c]) / std::sqrt(static_cast<double>(at(variance)[c]) + epsilon) + at(bias)[c];
        });
        blend(at(y), result, alpha, beta);
    });
}

int cudnnBatchNormalizationBackward(void* handle, int mode, const float* alpha_data_pointer, const float* beta_data_pointer,
    const float* alpha_parameters_pointer, const float* beta_parameters_pointer, void* xd, std::uint64_t x, void* dyd, std::uint64_t dy, void* dxd,
    std::uint64_t dx, void* pd, std::uint64_t scale, std::uint64_t dscale, std::uint64_t dbias, double epsilon, std::uint64_t saved_mean,
    std::uint64_t saved_inverse_std)
{
    auto lock = begin_call();
    tensor in, in_gradient;
    float alpha_data, beta_data, alpha_parameters, beta_parameters;
    if (const int status = check_batch_norm(mode, alpha_data_pointer, beta_data_pointer, xd, dyd, pd, epsilon, in, alpha_data, beta_data); status != ok)
    {
        return status;
    }

    if (!scalars(alpha_parameters_pointer, beta_parameters_pointer, alpha_parameters, beta_parameters))
    {
        return bad_param_null_pointer;
    }

    if (!read(tensors, dxd, in_gradient) || !in.same_dims(in_gradient))
    {
        return refuse(bad_param, "batch norm backward: dx must be shaped as x");
    }

    const std::size_t channels = static_cast<std::size_t>(in.c);
    if ((saved_mean == 0) != (saved_inverse_std == 0))
    {
        return refuse(bad_param, "batch norm backward: the saved mean and inverse std come in a pair");
    }

    if (!in_device(x, in.count(), "batch norm x") || !in_device(dy, in.count(), "batch norm dy") || !in_device(dx, in.count(), "batch norm dx")
        || !in_device(scale, channels, "batch norm scale") || !in_device(dscale, channels, "batch norm dscale") || !in_device(dbias, channels, "batch norm dbias")
        || (saved_mean != 0 && (!in_device(saved_mean, channels, "saved mean") || !in_device(saved_inverse_std, channels, "saved inverse std"))))
    {
        return bad_param;
    }

    return queue(handle, [=]
    {
        std::vector<double> mean(channels), inverse_std(channels);
        if (saved_mean != 0)
        {
            for (std::size_t c = 0; c < channels; c++)
            {
                mean[c] = at(saved_mean)[c];
                inverse_std[c] = at(saved_inverse_std)[c];
            }
        }
        else
        {
            const auto s = statistics(in, at(x));
            for (std::size_t c = 0; c < channels; c++)
            {
                mean[c] = s.mean[c];
                inverse_std[c] = 1.0 / std::sqrt(s.variance[c] + epsilon);
            }
        }

        std::vector<double> sum_dy(channels), sum_dy_xhat(channels);
        per_channel(in, [&](int c, std::size_t i)
        {
            sum_dy[c] += at(dy)[i];
            sum_dy_xhat[c] += at(dy)[i] * (at(x)[i] - mean[c]) * inverse_std[c];
        });
        const double m = static_cast<double>(in.count() / channels);
        std::vector<double> result(in.count());
        per_channel(in, [&](int c, std::size_t i)
        {
            const double xhat = (at(x)[i] - mean[c]) * inverse_std[c];
            result[i] = at(scale)[c] * inverse_std[c] / m * (m * at(dy)[i] - sum_dy[c] - xhat * sum_dy_xhat[c]);
        });
        blend(at(dx), result, alpha_data, beta_data);
        blend(at(dscale), sum_dy_xhat, alpha_parameters, beta_parameters);
        blend(at(dbias), sum_dy, alpha_parameters, beta_parameters);
    });
}
}
