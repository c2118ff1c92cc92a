using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Backends;

/// <summary>Argument checks shared by backends; the throw lives out of line to keep callers small.</summary>
internal static class ShapeCheck
{
    public static void Require(bool condition, [CallerArgumentExpression(nameof(condition))] string expression = "")
    {
        if (!condition)
        {
            Throw(expression);
        }
    }

    public static void Same(TensorShape expected, TensorShape actual, [CallerArgumentExpression(nameof(actual))] string expression = "")
    {
        if (expected != actual)
        {
            Throw($"{expression} is {actual} but must be {expected}");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(string what) => throw new ArgumentException($"Tensor shapes do not fit: {what}.");
}
