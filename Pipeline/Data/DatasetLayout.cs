namespace CatsDogs.Pipeline.Data;

public enum DatasetLayout
{
    /// <summary>Kaggle's flat folder: train/cat.0.jpg, train/dog.12499.jpg.</summary>
    KaggleFlat,

    /// <summary>One folder per class: cat/ and dog/ (or cats/, dogs/, in any case).</summary>
    ClassFolders,

    /// <summary>A folder of images without labels, such as Kaggle's test1/, used for prediction.</summary>
    Unlabeled,

    /// <summary>Image files named one by one, without labels, for prediction.</summary>
    Files,
}
