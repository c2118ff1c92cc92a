namespace CatsDogs.Pipeline.Plots;

/// <summary>
/// Skia's Linux assets come without fontconfig, so plots find no font by themselves and would
/// have no text. This registers a TrueType font from the usual Debian places
/// (fonts-dejavu-core) once, and says so once when there is none.
/// </summary>
internal static class PlotFonts
{
    private static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    ];

    private static readonly Lazy<string?> Registered = new(Register);

    /// <summary>The font file in use, or null when none was found (plots then have no text).</summary>
    public static string? File => Registered.Value;

    /// <summary>Applies the font to a plot.</summary>
    public static void Apply(ScottPlot.Plot plot)
    {
        if (File is not null)
        {
            plot.Font.Set(FamilyName);
        }
    }

    private const string FamilyName = "CatsDogs Plot Sans";

    private static string? Register()
    {
        var file = Candidates.FirstOrDefault(System.IO.File.Exists);
        if (file is null)
        {
            Console.Error.WriteLine("No TrueType font found (install fonts-dejavu-core): plots will have no text.");
            return null;
        }

        ScottPlot.Fonts.AddFontFile(FamilyName, file);
        return file;
    }
}
