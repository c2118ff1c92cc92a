using CatsDogs.Pipeline.Data;

namespace CatsDogs.Pipeline.Inference;

/// <summary>Warns, before predicting, of ids Kaggle would refuse, so that such a submission is never written without a word.</summary>
internal static class SubmissionIds
{
    public static void Report(DatasetIndex index, TextWriter log)
    {
        if (index.Entries.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList() is { Count: > 0 } repeated)
        {
            log.WriteLine($"warning: {repeated.Count} id{(repeated.Count == 1 ? " is" : "s are")} shared by several images ({Examples.Of(repeated)}), which a Kaggle submission does not allow: ids are file names without extension, so cat/1.jpg and dog/1.jpg, or 1.jpg and 1.png, share one.");
        }

        // Kaggle's own folders are flat; class folders and files named one by one are no Kaggle test set.
        if (index.Layout is not (DatasetLayout.Unlabeled or DatasetLayout.KaggleFlat))
        {
            return;
        }

        var named = index.Entries.Where(e => Submission.NumericId(e.Id) is null).Select(e => e.RelativePath).ToList();
        if (named.Count > 0)
        {
            log.WriteLine($"warning: {named.Count} image{(named.Count == 1 ? "'s name is" : "s' names are")} not a numeric id ({Examples.Of(named)}) in '{index.Root}': " +
                "Kaggle's submission takes the numbers of its test images (test1/1.jpg is id 1) and would refuse " + (named.Count == 1 ? "its row." : "their rows."));
        }
    }
}
