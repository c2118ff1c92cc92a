using CatsDogs.Model.Backends;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// A backend that forwards every op to a real one, except that the op named at construction gets
/// its output's starting values wrong: GEMM ignores beta (right only where C started at zero), the residual add
/// overwrites y instead of adding to it, or max pooling backward leaves the rows and columns in no window as they were (what cuDNN does,
/// and CudaBackend corrects). Only a comparison whose outputs start from other values than zero,
/// at odd sides, catches these.
/// </summary>
internal sealed class StaleOutputBackend(IBackend inner, string stale) : ForwardingBackend(inner)
{
    public override void Gemm(bool transposeA, bool transposeB, float alpha, Tensor a, Tensor b, float beta, Tensor c) =>
        base.Gemm(transposeA, transposeB, alpha, a, b, stale == nameof(Gemm) ? 0f : beta, c);

    public override void Add(Tensor x, Tensor y)
    {
        if (stale == nameof(Add))
        {
            Inner.Copy(x, y);
            return;
        }

        base.Add(x, y);
    }

    public override void MaxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, int window)
    {
        if (stale != nameof(MaxPoolBackward))
        {
            base.MaxPoolBackward(x, y, dy, dx, window);
            return;
        }

        var shape = dx.Shape;
        var before = new float[shape.Count];
        Inner.Download(dx, before);
        base.MaxPoolBackward(x, y, dy, dx, window);
        var after = new float[shape.Count];
        Inner.Download(dx, after);
        var (rows, columns) = (shape.H / window * window, shape.W / window * window);
        for (var i = 0; i < after.Length; i++)
        {
            var (row, column) = (i / shape.W % shape.H, i % shape.W);
            if (row >= rows || column >= columns)
            {
                after[i] = before[i];
            }
        }

        Inner.Upload(after, dx);
    }
}
