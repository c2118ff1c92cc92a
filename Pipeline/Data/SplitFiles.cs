using System.Security.Cryptography;
using System.Text;

namespace CatsDogs.Pipeline.Data;

internal static class SplitFiles
{
    /// <summary>
    /// Where a data set's split lives unless --split-file says otherwise: data/splits/, apart from
    /// the raw images (which may be read-only), named after the folder and a hash of its full
    /// path so that two folders called train/ never share a split.
    /// </summary>
    public static string DefaultFor(string dataRoot)
    {
        var full = Path.GetFullPath(dataRoot).TrimEnd(Path.DirectorySeparatorChar);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..8];
        return Path.Combine("data", "splits", $"{Path.GetFileName(full)}-{hash}.split.json");
    }
}
