// libcublas.so.13's entry points that CudaBackend uses: column-major SGEMM as the BLAS reference
// defines it (C = alpha op(A) op(B) + beta C; C is not read when beta is 0), with TF32 rounding of
// the inputs in the TF32 and (deprecated) FP16 tensor-op modes. Values as in cublas_api.h.
#include "runtime.h"
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using namespace stand_in;

namespace
{
enum cublas_status : int
{
    blas_ok = 0,
    blas_not_initialised = 1,
    blas_invalid_value = 7,
    blas_execution_failed = 13,
};

constexpr int op_n = 0;
constexpr int op_t = 1;
constexpr int op_c = 2;
constexpr int math_default = 0;
constexpr int math_fp16 = 1;
constexpr int math_tf32 = 3;
constexpr int disallow_reduced_precision_reduction = 16;

struct library_handle
{
    stream* on = nullptr;
    int math = math_default;
};

registry<library_handle> handles;

library_handle* find(void* handle) { return handles.find(handle); }
}

extern "C"
{
int cublasCreate_v2(void** handle)
{
    auto lock = enter();
    if (handle == nullptr)
    {
        return blas_invalid_value;
    }

    auto* created = handles.create();
    created->on = find_stream(nullptr);
    *handle = created;
    return blas_ok;
}

int cublasDestroy_v2(void* handle)
{
    auto lock = enter();
    return handles.destroy(handle) ? blas_ok : blas_not_initialised;
}

int cublasGetVersion_v2(void* handle, int* version)
{
    auto lock = enter();
    if (find(handle) == nullptr || version == nullptr)
    {
        return find(handle) == nullptr ? blas_not_initialised : blas_invalid_value;
    }

    *version = 130100;
    return blas_ok;
}

int cublasSetStream_v2(void* handle, void* stream_handle)
{
    auto lock = enter();
    auto* owner = find(handle);
    auto* on = find_stream(stream_handle);
    if (owner == nullptr || on == nullptr)
    {
        return owner == nullptr ? blas_not_initialised : blas_invalid_value;
    }

    owner->on = on;
    return blas_ok;
}

int cublasSetMathMode(void* handle, int mode)
{
    auto lock = enter();
    auto* owner = find(handle);
    if (owner == nullptr)
    {
        return blas_not_initialised;
    }

    // cublasMath_t: default 0, tensor op 1 (deprecated: FP16 compute), pedantic 2, TF32 3, FP32 emulated by BF16x9 4,
    // FP64 emulated by fixed point 8; any of them may carry the disallow-reduced-precision-reduction flag.
    const int base = mode & ~disallow_reduced_precision_reduction;
    if (base != math_default && base != math_fp16 && base != 2 && base != math_tf32 && base != 4 && base != 8)
    {
        return blas_invalid_value;
    }

    owner->math = base;
    return blas_ok;
}

const char* cublasGetStatusString(int status)
{
    switch (status)
    {
    case blas_ok: return "CUBLAS_STATUS_SUCCESS";
    case blas_not_initialised: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case blas_invalid_value: return "CUBLAS_STATUS_INVALID_VALUE";
    case blas_execution_failed: return "CUBLAS_STATUS_EXECUTION_FAILED";
    default: return "CUBLAS_STATUS_UNKNOWN";
    }
}

int cublasSgemm_v2(void* handle, int transa, int transb, int m, int n, int k, const float* alpha_pointer, std::uint64_t a, int lda,
    std::uint64_t b, int ldb, const float* beta_pointer, std::uint64_t c, int ldc)
{
    auto lock = enter();
    auto* owner = find(handle);
    if (owner == nullptr)
    {
        return blas_not_initialised;
    }

    const auto valid_op = [](int op) { return op == op_n || op == op_t || op == op_c; };
    // Stored shapes: A is m x k (op N) or k x m, B is k x n or n x k, C is m x n; each column-major with its leading dimension.
    const int a_rows = transa == op_n ? m : k, a_columns = transa == op_n ? k : m;
    const int b_rows = transb == op_n ? k : n, b_columns = transb == op_n ? n : k;
    if (!valid_op(transa) || !valid_op(transb) || m < 0 || n < 0 || k < 0 || lda < std::max(1, a_rows) || ldb < std::max(1, b_rows)
        || ldc < std::max(1, m) || alpha_pointer == nullptr || beta_pointer == nullptr)
    {
        return blas_invalid_value;
    }

    if (m == 0 || n == 0)
    {
        return blas_ok;
    }

    const auto extent = [](int rows, int columns, int leading) { return columns == 0 ? 0 : static_cast<std::size_t>(leading) * (columns - 1) + rows; };
    if ((k > 0 && (!device_range(a, extent(a_rows, a_columns, lda) * sizeof(float), "sgemm A")
        || !device_range(b, extent(b_rows, b_columns, ldb) * sizeof(float), "sgemm B")))
        || !device_range(c, extent(m, n, ldc) * sizeof(float), "sgemm C"))
    {
        return blas_invalid_value;
    }

    if (sticky_error() != success)
    {
        return blas_execution_failed;
    }

    const float alpha = *alpha_pointer, beta = *beta_pointer;
    // TF32 and FP16 tensor ops both keep 10 mantissa bits of each input.
    const bool round = owner->math == math_tf32 || owner->math == math_fp16;
    enqueue(*owner->on, [=]
    {
        const auto* A = reinterpret_cast<const float*>(a);
        const auto* B = reinterpret_cast<const float*>(b);
        auto* C = reinterpret_cast<float*>(c);
        const auto read = [&](float value) { return static_cast<double>(round ? tf32(value) : value); };
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++)
            {
                double sum = 0;
                for (int l = 0; l < k; l++)
                {
                    const float left = transa == op_n ? A[i + static_cast<std::size_t>(l) * lda] : A[l + static_cast<std::size_t>(i) * lda];
                    const float right = transb == op_n ? B[l + static_cast<std::size_t>(j) * ldb] : B[j + static_cast<std::size_t>(l) * ldb];
                    sum += read(left) * read(right);
                }

                float& out = C[i + static_cast<std::size_t>(j) * ldc];
                out = beta == 0.0f ? static_cast<float>(alpha * sum) : static_cast<float>(alpha * sum + beta * out);
            }
    });
    return blas_ok;
}
}
