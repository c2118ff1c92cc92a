// The CUDA backend's own kernels, compiled by NVRTC once per backend for the device at hand.
// Each mirrors an op of the CPU backend (CudnnModel/Backends/Cpu) formula for formula, and is
// compiled with --fmad=false so that no multiply-add is contracted: element-wise results then
// round as the CPU's do. Every kernel takes plain values and CUdeviceptr-sized pointers in the
// order its launcher in CudaKernels.cs packs them.

typedef unsigned long long u64;

// CounterRandom.Mix: SplitMix64's finaliser.
__device__ __forceinline__ u64 mix(u64 x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// CounterRandom.Uniform: 24 random bits scaled to [0, 1), exact in float.
__device__ __forceinline__ float uniform(u64 seed, long long index)
{
    return (float)(mix(seed ^ ((u64)index * 0xD1B54A32D192ED03ULL)) >> 40) * (1.0f / 16777216.0f);
}

__device__ __forceinline__ float stable_sigmoid(float z)
{
    return z >= 0.0f ? 1.0f / (1.0f + expf(-z)) : expf(z) / (1.0f + expf(z));
}

// 64-bit: in 32 bits, i + stride wraps past 2^31 for n within one stride of int's limit.
#define GRID_STRIDE(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)

// uint8 NHWC RGB (count images of `plane` pixels) to float NCHW in [0, 1], and the labels.
extern "C" __global__ void load_images(const unsigned char* __restrict__ pixels, const float* __restrict__ staged_labels,
    float* __restrict__ images, float* __restrict__ labels, int count, int plane)
{
    const int total = count * plane;
    GRID_STRIDE(i, total)
    {
        const int n = i / plane;
        const int p = i - n * plane;
        const unsigned char* rgb = pixels + 3LL * i;
        float* out = images + 3LL * n * plane + p;
        out[0] = rgb[0] * (1.0f / 255.0f);
        out[plane] = rgb[1] * (1.0f / 255.0f);
        out[2 * plane] = rgb[2] * (1.0f / 255.0f);
        if (i < count)
        {
            labels[i] = staged_labels[i];
        }
    }
}

// Sums in one block of BCE_THREADS threads: labeled count first (the gradient is of the mean),
// then loss (in double, as the CPU does), correct predictions and the gradient.
#define BCE_THREADS 256
// An unlabeled row (NaN target). Plain comparison rather than isnan(): it needs no header under
// NVRTC, and without fast-math a NaN is the one value unequal to itself.
__device__ __forceinline__ bool is_missing(float x)
{
    return x != x;
}

// Label smoothing moves each target toward 1/2 by `smoothing` for the loss and its gradient; accuracy counts against the label.
extern "C" __global__ void __launch_bounds__(BCE_THREADS) sigmoid_bce(const float* __restrict__ logits, const float* __restrict__ labels,
    float* __restrict__ dlogits, float* __restrict__ stats, int n, float smoothing)
{
    __shared__ double loss_sum[BCE_THREADS];
    __shared__ int counts[BCE_THREADS];
    __shared__ int correct_sum[BCE_THREADS];
    const int t = threadIdx.x;
    int labeled = 0;
    for (int i = t; i < n; i += BCE_THREADS)
    {
        labeled += is_missing(labels[i]) ? 0 : 1;
    }

    counts[t] = labeled;
    __syncthreads();
    for (int s = BCE_THREADS / 2; s > 0; s >>= 1)
    {
        if (t < s)
        {
            counts[t] += counts[t + s];
        }
        __syncthreads();
    }

    const int total = counts[0];
    double loss = 0.0;
    int correct = 0;
    for (int i = t; i < n; i += BCE_THREADS)
    {
        const float z = logits[i];
        const float target = labels[i];
        if (is_missing(target))
        {
            if (dlogits)
            {
                dlogits[i] = 0.0f;
            }
            continue;
        }

        const float soft = target * (1.0f - smoothing) + 0.5f * smoothing;
        const double zd = z;
        loss += fmax(zd, 0.0) - zd * (double)soft + log(1.0 + exp(-fabs(zd)));
        correct += ((z >= 0.0f) == (target >= 0.5f)) ? 1 : 0;
        if (dlogits)
        {
            dlogits[i] = (stable_sigmoid(z) - soft) / total;
        }
    }

    __syncthreads();
    loss_sum[t] = loss;
    correct_sum[t] = correct;
    __syncthreads();
    for (int s = BCE_THREADS / 2; s > 0; s >>= 1)
    {
        if (t < s)
        {
            loss_sum[t] += loss_sum[t + s];
            correct_sum[t] += correct_sum[t + s];
        }
        __syncthreads();
    }

    if (t == 0)
    {
        stats[0] += (float)loss_sum[0];
        stats[1] += correct_sum[0];
        stats[2] += total;
    }
}

extern "C" __global__ void sigmoid(const float* __restrict__ x, float* __restrict__ y, int n)
{
    GRID_STRIDE(i, n)
    {
        y[i] = stable_sigmoid(x[i]);
    }
}

// Inverted dropout; the mask is uniform(seed, element index) >= rate, so backward regenerates it.
extern "C" __global__ void dropout(const float* __restrict__ x, float* __restrict__ y, int n, float rate, float scale, u64 seed)
{
    GRID_STRIDE(i, n)
    {
        y[i] = uniform(seed, i) >= rate ? x[i] * scale : 0.0f;
    }
}

// g += decay * w; v = momentum * v + g; w -= lr * (nesterov ? g + momentum * v : v), with g first scaled.
extern "C" __global__ void sgd_update(float* __restrict__ w, const float* __restrict__ g, float* __restrict__ v,
    const float* __restrict__ gradient_scale, int n, float rate, float momentum, int nesterov, float decay)
{
    const float scale = gradient_scale ? gradient_scale[0] : 1.0f;
    GRID_STRIDE(i, n)
    {
        const float gi = g[i] * scale + decay * w[i];
        const float vi = momentum * v[i] + gi;
        v[i] = vi;
        w[i] = w[i] - rate * (nesterov ? gi + momentum * vi : vi);
    }
}

// AdamW with the bias corrections folded by the host into step_size and root_correction2.
extern "C" __global__ void adamw_update(float* __restrict__ w, const float* __restrict__ g, float* __restrict__ m, float* __restrict__ v,
    const float* __restrict__ gradient_scale, int n, float beta1, float beta2, float epsilon, float step_size, float root_correction2, float keep)
{
    const float scale = gradient_scale ? gradient_scale[0] : 1.0f;
    GRID_STRIDE(i, n)
    {
        const float gi = g[i] * scale;
        const float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        const float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i] * keep - step_size * mi / (sqrtf(vi) / root_correction2 + epsilon);
    }
}

// The squared norm sums in a fixed order, so that it is the same on every run: each block its
// grid-stride share of the elements into partials[blockIdx.x], then one block those partials.
#define NORM_THREADS 256
// The block's threads' values summed as a tree; every thread of the block must call it.
__device__ float norm_block_sum(float s)
{
    __shared__ float partial[NORM_THREADS];
    const int t = threadIdx.x;
    partial[t] = s;
    __syncthreads();
    for (int k = NORM_THREADS / 2; k > 0; k >>= 1)
    {
        if (t < k)
        {
            partial[t] += partial[t + k];
        }
        __syncthreads();
    }

    return partial[0];
}

extern "C" __global__ void __launch_bounds__(NORM_THREADS) squared_norm_partials(const float* __restrict__ x, int n, float* __restrict__ partials)
{
    float s = 0.0f;
    GRID_STRIDE(i, n)
    {
        s += x[i] * x[i];
    }

    const float block = norm_block_sum(s);
    if (threadIdx.x == 0)
    {
        partials[blockIdx.x] = block;
    }
}

// sum[0] += the partials; launched as one block.
extern "C" __global__ void __launch_bounds__(NORM_THREADS) add_partials(const float* __restrict__ partials, int count, float* __restrict__ sum)
{
    float s = 0.0f;
    for (int i = threadIdx.x; i < count; i += NORM_THREADS)
    {
        s += partials[i];
    }

    const float total = norm_block_sum(s);
    if (threadIdx.x == 0)
    {
        sum[0] += total;
    }
}

extern "C" __global__ void clip_factor(const float* __restrict__ sum_of_squares, float max_norm, float* __restrict__ factor)
{
    const float norm = sqrtf(sum_of_squares[0]);
    factor[0] = norm > max_norm ? max_norm / norm : 1.0f;
}

// One warp per (n, c) plane: y = mean of the plane.
extern "C" __global__ void gap_forward(const float* __restrict__ x, float* __restrict__ y, int planes, int plane)
{
    const long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) / 32;
    const int lane = threadIdx.x & 31;
    if (warp >= planes)
    {
        return;
    }

    const float* source = x + (long long)warp * plane;
    float s = 0.0f;
    for (int i = lane; i < plane; i += 32)
    {
        s += source[i];
    }

    for (int offset = 16; offset > 0; offset >>= 1)
    {
        s += __shfl_down_sync(0xffffffffu, s, offset);
    }

    if (lane == 0)
    {
        y[warp] = s / plane;
    }
}

extern "C" __global__ void gap_backward(const float* __restrict__ dy, float* __restrict__ dx, int planes, int plane)
{
    GRID_STRIDE(i, planes * plane)
    {
        dx[i] = dy[i / plane] / plane;
    }
}
