using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native;

/// <summary>Layer 3: what every handle class does between creating a native object and handing it out.</summary>
internal static class HandleSetup
{
    /// <summary>
    /// Configures a just-created handle (its stream, its shape); if that fails, the handle is
    /// destroyed now, on this thread, rather than by the finalizer, where a cuDNN or cuBLAS handle
    /// would be destroyed with no context current.
    /// </summary>
    public static T Configured<T>(T created, Action<T> configure)
        where T : SafeHandle
    {
        try
        {
            configure(created);
            return created;
        }
        catch
        {
            created.Dispose();
            throw;
        }
    }
}
