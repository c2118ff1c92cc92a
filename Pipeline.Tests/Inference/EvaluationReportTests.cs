using System.Text.Json.Nodes;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Inference.Evaluation;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Inference;

/// <summary>The scores of evaluation.json against values worked out by hand for a small set of labels and probabilities.</summary>
public sealed class EvaluationReportTests
{
    // Three cats, four dogs; a 0.6 shared by a cat pair and a dog (ties), and a dog called certainly a cat (clipping).
    private static readonly ImageLabel[] Truth = [Cat, Cat, Cat, Dog, Dog, Dog, Dog];
    private static readonly float[] DogProbability = [0.1f, 0.6f, 0.6f, 0.6f, 0.9f, 0.7f, 0.0f];

    private const ImageLabel Cat = ImageLabel.Cat;
    private const ImageLabel Dog = ImageLabel.Dog;

    [Fact]
    public void The_confusion_matrix_counts_true_against_predicted_class_with_one_half_counting_as_dog()
    {
        var confusion = ConfusionMatrix.From(Truth, DogProbability);

        // Cats: 0.1 right, both 0.6 wrong. Dogs: 0.6, 0.9, 0.7 right, 0.0 wrong.
        Assert.Equal(new ConfusionMatrix(CatAsCat: 1, CatAsDog: 2, DogAsCat: 1, DogAsDog: 3), confusion);
        Assert.Equal(4.0 / 7, confusion.Accuracy, 1e-12);
    }

    [Fact]
    public void Precision_recall_and_f1_take_each_class_in_turn_as_the_positive_one()
    {
        var confusion = ConfusionMatrix.From(Truth, DogProbability);

        // Cat: 1 of the 2 called cats is one; 1 of the 3 cats was called so; F1 = 2 (1/2)(1/3) / (1/2 + 1/3) = 0.4.
        AssertScores(0.5, 1.0 / 3, 0.4, confusion.CatScores);
        // Dog: 3 of the 5 called dogs are; 3 of the 4 dogs were called so; F1 = 2 (3/5)(3/4) / (3/5 + 3/4) = 2/3.
        AssertScores(0.6, 0.75, 2.0 / 3, confusion.DogScores);
    }

    [Fact]
    public void A_class_never_predicted_has_no_precision_rather_than_a_made_up_zero()
    {
        var confusion = ConfusionMatrix.From([Cat, Dog, Dog], [0.9f, 0.8f, 0.7f]);

        Assert.Equal(new ClassScores(null, 0, null), confusion.CatScores);
        AssertScores(2.0 / 3, 1, 0.8, confusion.DogScores);
    }

    [Fact]
    public void Log_loss_is_the_mean_cross_entropy_with_probabilities_clipped_at_1e_minus_15()
    {
        // -(ln 0.9 + ln 0.4 + ln 0.4 + ln 0.6 + ln 0.9 + ln 0.7 + ln 1e-15) / 7: the certain mistake costs -ln(1e-15), not infinity.
        Assert.Equal(5.349939922525624, LogLoss.Of(Truth, DogProbability), 1e-6);
        Assert.Equal(34.538776394910684, LogLoss.Of([Dog], [0f]), 1e-9);
        Assert.Equal(0, LogLoss.Of([Cat, Dog], [0f, 1f]), 1e-12);
    }

    [Fact]
    public void Roc_auc_is_the_share_of_dog_cat_pairs_ordered_right_with_ties_counting_half()
    {
        // Dog 0.6 beats cat 0.1 and ties both cats at 0.6 (2); dog 0.9 and dog 0.7 beat all three (3 + 3); dog 0.0 none: 8 of 12 pairs.
        Assert.Equal(2.0 / 3, RocAuc.Of(Truth, DogProbability)!.Value, 1e-12);
        Assert.Equal(1.0, RocAuc.Of([Cat, Cat, Dog], [0.2f, 0.3f, 0.31f])!.Value, 1e-12);
        Assert.Equal(0.0, RocAuc.Of([Dog, Cat], [0.2f, 0.3f])!.Value, 1e-12);
        Assert.Equal(0.5, RocAuc.Of([Cat, Dog, Cat, Dog], [0.5f, 0.5f, 0.5f, 0.5f])!.Value, 1e-12);
        Assert.Null(RocAuc.Of([Dog, Dog], [0.2f, 0.3f]));
    }

    [Fact]
    public void Evaluation_json_has_the_keys_the_model_card_reads_and_leaves_out_images_never_decoded()
    {
        using var folder = new TempFolder();
        // An eighth image, a cat at P(dog) 1, that could not be decoded: it must count nowhere.
        ImageEntry[] entries = [.. Truth.Select((label, i) => new ImageEntry($"{i}.jpg", label, $"{i}")), new("7.jpg", Cat, "7")];
        var report = EvaluationReport.From(entries, [.. DogProbability, 1f], [.. Truth.Select(_ => true), false], TestTimeAugmentation.FlipShift, "/runs/a/checkpoints/best.json", "/data/test");
        var path = Path.Combine(folder.Path, EvaluationReport.FileName);

        report.Save(path);

        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal(7, json["images"]!.GetValue<int>());
        Assert.Equal(4.0 / 7, json["accuracy"]!.GetValue<double>(), 1e-12);
        Assert.Equal(5.349939922525624, json["logLoss"]!.GetValue<double>(), 1e-6);
        Assert.Equal(2.0 / 3, json["rocAuc"]!.GetValue<double>(), 1e-12);
        Assert.Equal(0.5, json["perClass"]!["cat"]!["precision"]!.GetValue<double>(), 1e-12);
        Assert.Equal(1.0 / 3, json["perClass"]!["cat"]!["recall"]!.GetValue<double>(), 1e-12);
        Assert.Equal(0.4, json["perClass"]!["cat"]!["f1"]!.GetValue<double>(), 1e-12);
        Assert.Equal(0.6, json["perClass"]!["dog"]!["precision"]!.GetValue<double>(), 1e-12);
        Assert.Equal(0.75, json["perClass"]!["dog"]!["recall"]!.GetValue<double>(), 1e-12);
        Assert.Equal(2.0 / 3, json["perClass"]!["dog"]!["f1"]!.GetValue<double>(), 1e-12);
        Assert.Equal([1, 2], Row(json, "cat"));
        Assert.Equal([1, 3], Row(json, "dog"));
        Assert.Equal("flipshift", json["tta"]!.GetValue<string>());
        Assert.Equal("/runs/a/checkpoints/best.json", json["checkpoint"]!.GetValue<string>());
        Assert.Equal("/data/test", json["data"]!.GetValue<string>());
    }

    [Fact]
    public void Scores_a_diverged_network_makes_are_null_in_the_json_not_an_error()
    {
        var report = EvaluationReport.From([new("0.jpg", Cat, "0"), new("1.jpg", Dog, "1")], [float.NaN, float.NaN], [true, true], TestTimeAugmentation.None, "c", "d");

        var json = report.ToJson();

        Assert.Null(json["logLoss"]);
        Assert.Equal(2, json["images"]!.GetValue<int>());
    }

    private static int[] Row(JsonNode json, string truth) =>
        [json["confusion"]![truth]!["cat"]!.GetValue<int>(), json["confusion"]![truth]!["dog"]!.GetValue<int>()];

    private static void AssertScores(double precision, double recall, double f1, ClassScores actual)
    {
        Assert.Equal(precision, actual.Precision!.Value, 1e-12);
        Assert.Equal(recall, actual.Recall!.Value, 1e-12);
        Assert.Equal(f1, actual.F1!.Value, 1e-12);
    }
}
