using System.CommandLine;

namespace CatsDogs.Pipeline.Cli;

/// <summary>An option naming one of an enum's members, whose default the help shows as it is typed (sgd, not Sgd).</summary>
/// <remarks>
/// System.CommandLine's help writes a default with ToString and its help builder is internal, so the option itself has no
/// default: its description names it, and <see cref="ValueIn"/> applies it when the option is absent.
/// </remarks>
internal sealed class EnumChoiceOption<T> : Option<T?>
    where T : struct, Enum
{
    private readonly T _defaultValue;

    public EnumChoiceOption(string name, T defaultValue)
        : base(name) => _defaultValue = defaultValue;

    public T ValueIn(ParseResult result) => result.GetValue(this) ?? _defaultValue;
}
