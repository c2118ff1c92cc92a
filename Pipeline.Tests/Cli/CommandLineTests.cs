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

    private static IEnumerable<System.CommandLine.Command> Commands(System.CommandLine.Command root) =>
        root.Subcommands.SelectMany(Commands).Prepend(root);
}
