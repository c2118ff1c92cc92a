namespace CatsDogs.Pipeline.Data;

/// <summary>The two classes, with the numeric values the network trains on (cat 0, dog 1).</summary>
public enum ImageLabel : sbyte
{
    Unlabeled = -1,
    Cat = 0,
    Dog = 1,
}
