using CatsDogs.Model.Backends;
using CatsDogs.Pipeline.Cli;

namespace CatsDogs.Tests.Cli;

public sealed class CommandLineTests
{
    private static IReadOnlyList<string> Errors(params string[] args) =>
        CatsDogsCommand.Create().Parse(args).Errors.Select(e => e.Message).ToList();

    [Theory]
    [InlineData("--batch-size", "0", "--batch-size must be between 1 and 65536; got 0.")]
    [InlineData("--decode-threads", "0", "--decode-threads must be between 1 and 256; got 0.")]
    [InlineData("--prefetch", "5000", "--prefetch must be between 1 and 1024; got 5000.")]
    [InlineData("--zoom", "1.5", "--zoom must be between 0 and 0.9; got 1.5.")]
    [InlineData("--image-size", "4", "--image-size must be between 8 and 1024; got 4.")]
    public void Invalid_value_names_the_option_and_its_range(string option, string value, string message) =>
        Assert.Contains(message, Errors("bench", "input", option, value));

    [Fact]
    public void Valid_options_parse_without_errors() =>
        Assert.Empty(Errors("bench", "input", "--data", ".", "--batch-size", "128", "--decode-threads", "2", "--fit", "crop", "--no-flip"));

    [Fact]
    public void Summary_shows_a_preset_at_its_own_image_size_unless_told_another()
    {
        var (exit, output) = CliRun.Run("summary", "--model", "compact");
        var (sizedExit, sized) = CliRun.Run("summary", "--model", "compact", "--image-size", "48");

        Assert.True(exit == 0 && sizedExit == 0, output + sized);
        Assert.StartsWith("Model: \"compact\"  (input 32x32x3)", output);
        Assert.StartsWith("Model: \"compact\"  (input 48x48x3)", sized);
    }

    [Fact]
    public void Every_option_of_every_verb_has_help_text()
    {
        var undocumented =
            from command in Commands(CatsDogsCommand.Create())
            from option in command.Options
            where string.IsNullOrWhiteSpace(option.Description)
            select $"{command.Name} {option.Name}";

        Assert.Empty(undocumented);
    }

    [Fact]
    public void Verb_help_lists_its_options_with_their_ranges()
    {
        var output = new StringWriter();
        var result = CatsDogsCommand.Create().Parse(["bench", "input", "--help"]);
        result.InvocationConfiguration.Output = output;

        Assert.Equal(0, result.Invoke());
        Assert.Contains("--decode-threads", output.ToString());
        Assert.Contains("[1..256]", output.ToString());
    }

    [Fact]
    public void Help_shows_each_choice_default_as_one_of_the_names_it_accepts()
    {
        var shown =
            from command in Commands(CatsDogsCommand.Create())
            from option in command.Options
            let names = option.HelpName?.Split('|') ?? []
            where names.Length > 1 && names.All(name => name.All(char.IsAsciiLetterOrDigit))
            // ChoiceOption.CreateOptional's (a plain option of a nullable enum) have no default: their absence means something of its own.
            where option.GetType() is not { IsGenericType: true } type || type.GetGenericTypeDefinition() != typeof(System.CommandLine.Option<>)
                || Nullable.GetUnderlyingType(option.ValueType) is null
            let help = HelpOf(command)
            let line = help.Split('\n').Single(line => line.TrimStart().StartsWith($"{option.Name} <", StringComparison.Ordinal))
            let marker = line.IndexOf("[default: ", StringComparison.Ordinal)
            select (Option: $"{command.Name} {option.Name}", Names: names,
                Default: marker < 0 ? "(none shown)" : line[(marker + 10)..line.IndexOf(']', marker)]);

        var checkedDefaults = shown.ToList();
        Assert.Contains(checkedDefaults, choice => choice.Option == "train --optimizer" && choice.Default == "sgd");
        Assert.All(checkedDefaults, choice => Assert.True(choice.Names.Contains(choice.Default), $"{choice.Option} shows [default: {choice.Default}]"));
    }

    [Theory]
    [InlineData(new string[0], DeviceKind.Auto)]
    [InlineData(new[] { "--device", "CPU" }, DeviceKind.Cpu)]
    [InlineData(new[] { "--device", "cuda" }, DeviceKind.Cuda)]
    public void An_enum_choice_reads_its_default_when_absent_and_any_case_when_given(string[] args, DeviceKind expected)
    {
        var (command, option) = DeviceChoice();

        Assert.Equal(expected, option.ValueIn(command.Parse(args)));
    }

    [Theory]
    [InlineData(new[] { "--device", "gpu" }, "--device must be one of auto, cpu, cuda; got 'gpu'.")]
    [InlineData(new[] { "--device" }, "'--device'")]
    public void An_enum_choice_refuses_an_unknown_name_or_a_missing_one(string[] args, string error)
    {
        var (command, _) = DeviceChoice();

        // The missing value's message is System.CommandLine's own (translated where the UI language is not English).
        Assert.Contains(error, Assert.Single(command.Parse(args).Errors).Message);
    }

    private static (System.CommandLine.RootCommand Command, EnumChoiceOption<DeviceKind> Option) DeviceChoice()
    {
        var option = ChoiceOption.Create("--device", "Where to run.", DeviceKind.Auto);
        return (new System.CommandLine.RootCommand { option }, option);
    }

    private static string HelpOf(System.CommandLine.Command command)
    {
        var output = new StringWriter();
        var result = CatsDogsCommand.Create().Parse([.. Path(command), "--help"]);
        result.InvocationConfiguration.Output = output;
        Assert.Equal(0, result.Invoke());
        return output.ToString();
    }

    private static IEnumerable<System.CommandLine.Command> Commands(System.CommandLine.Command root) =>
        root.Subcommands.SelectMany(Commands).Prepend(root);

    /// <summary>The verbs that lead from the root to <paramref name="command"/>, as typed.</summary>
    private static IEnumerable<string> Path(System.CommandLine.Command command) =>
        command.Parents.OfType<System.CommandLine.Command>().SelectMany(Path).Concat(command.Parents.Any() ? [command.Name] : []);
}
