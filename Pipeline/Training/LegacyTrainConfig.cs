using System.Text.Json.Nodes;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// Brings the settings of a config.json saved before provenance was recorded to today's shape, so that older runs
/// still resume and start others. Their optimizer was an object ({"kind": "sgd", "momentum": 0.9, ...}) and their
/// input held members that no option sets. (Their enums, spelled "Cosine" rather than "cosine", need nothing here:
/// enums are read in any case.)
/// </summary>
internal static class LegacyTrainConfig
{
    private static readonly string[] OptimizerSettings = ["momentum", "nesterov", "weightDecay"];

    /// <summary>Pipeline internals and derived values (the seed is train.seed's copy).</summary>
    private static readonly string[] InputInternals = ["consumerHeld", "seed", "cacheFolder", "poolSize"];

    public static void Upgrade(JsonObject file)
    {
        // The optimizer object is what marks such a file: every one had it, today's never do.
        if (file["train"] is not JsonObject train || train["optimizer"] is not JsonObject optimizer)
        {
            return;
        }

        // AdamW's betas and epsilon, which no option sets, are left behind: AdamW still takes the same defaults.
        train["optimizer"] = optimizer["kind"]?.DeepClone();
        foreach (var key in OptimizerSettings.Where(optimizer.ContainsKey))
        {
            train[key] = optimizer[key]?.DeepClone();
        }

        if (file["input"] is JsonObject input)
        {
            foreach (var key in InputInternals)
            {
                input.Remove(key);
            }

            (input["augment"] as JsonObject)?.Remove("isIdentity");
        }
    }
}
