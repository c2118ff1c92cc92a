namespace CatsDogs.Pipeline.Data;

/// <summary>
/// How large a new split's validation set should be and how to draw it. A count wins over a
/// fraction; <see cref="Explicit"/> says the user asked for the size, so that a split file with
/// another size is an error rather than silently reused. <see cref="Resuming"/> says a resumed run
/// asks: its split may neither be drawn anew nor change. <see cref="SeedGiven"/> says the user
/// chose the seed, so that reusing a split drawn with another one is said.
/// </summary>
public sealed record SplitRequest(int? ValidationCount, double ValidationFraction, int Seed, bool Explicit, bool Resuming = false, bool SeedGiven = false)
{
    public const double DefaultFraction = 0.2;

    public int ValidationSize(int total) =>
        ValidationCount ?? (int)Math.Round(total * ValidationFraction, MidpointRounding.AwayFromZero);
}
