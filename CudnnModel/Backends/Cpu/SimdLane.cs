using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// The few vector operations the GEMM micro-kernel needs, as static members of a struct so that
/// one generic kernel is compiled separately for 512- and 256-bit registers with no call overhead.
/// </summary>
internal unsafe interface ISimdLane<TVector>
    where TVector : struct
{
    static abstract int Width { get; }

    static abstract TVector Zero { get; }

    static abstract TVector Load(float* source);

    static abstract TVector Broadcast(float value);

    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector addend);

    /// <summary>The sum of the lanes.</summary>
    static abstract float Sum(TVector value);

    /// <summary>destination = max?(destination + value + bias) for the final block of a product.</summary>
    static abstract void Finish(float* destination, TVector value, float bias, bool relu);
}

internal unsafe struct Lane512 : ISimdLane<Vector512<float>>
{
    public static int Width => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> addend) =>
        Vector512.FusedMultiplyAdd(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Finish(float* destination, Vector512<float> value, float bias, bool relu)
    {
        var result = Vector512.Load(destination) + value + Vector512.Create(bias);
        (relu ? Vector512.MaxNative(result, Vector512<float>.Zero) : result).Store(destination);
    }
}

internal unsafe struct Lane256 : ISimdLane<Vector256<float>>
{
    public static int Width => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> addend) =>
        Vector256.FusedMultiplyAdd(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Finish(float* destination, Vector256<float> value, float bias, bool relu)
    {
        var result = Vector256.Load(destination) + value + Vector256.Create(bias);
        (relu ? Vector256.MaxNative(result, Vector256<float>.Zero) : result).Store(destination);
    }
}
