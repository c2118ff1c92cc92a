using System.Runtime.InteropServices;
using CatsDogs.Pipeline.Runs;

namespace CatsDogs.Pipeline.Tuning.Retune;

/// <summary>
/// The running process's side of <c>retune</c>: on SIGHUP it reads the request file from its run
/// folder, puts the settings in force through <see cref="SettingsControl"/> and writes the answer.
/// No network: only a process allowed to signal this one (its owner, or root) can ask, and only the
/// owner can write the request, whose file must be the owner's own (mode 0600, no link). A request
/// that is garbled, partial or refused is logged and answered, and the settings stay as they were:
/// the run never stops because of one. Requests are handled one at a time, off the signal thread.
/// </summary>
internal sealed class RetuneListener : IDisposable
{
    private const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private readonly RunFolder _run;
    private readonly SettingsControl _control;
    private readonly TextWriter _log;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly PosixSignalRegistration _registration;

    public RetuneListener(RunFolder run, SettingsControl control, TextWriter log)
    {
        (_run, _control, _log) = (run, control, log);

        // A request left from before this listener (its retune was told the process did not answer) is not carried out now.
        var left = _run.File(RetuneMessages.RequestFile);
        if (File.Exists(left))
        {
            File.Delete(left);
            log.WriteLine("retune: a request sent before the run was ready to take it was dropped; nothing changed.");
        }

        _registration = HangupSignal.Register(OnSignal);
    }

    private void OnSignal(PosixSignalContext context)
    {
        // SIGHUP's default would end the process.
        context.Cancel = true;
        _ = Task.Run(HandleAsync);
    }

    /// <summary>Handles the request waiting in the run folder, if any; what the signal starts, and what a test may call.</summary>
    public async Task HandleAsync()
    {
        await _oneAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            var path = _run.File(RetuneMessages.RequestFile);
            if (!File.Exists(path))
            {
                _log.WriteLine("retune: SIGHUP with no request in the run folder; nothing changed.");
                return;
            }

            string? id = null;
            RetuneMessages.Answer answer;
            try
            {
                var request = RetuneMessages.ReadRequest(ReadOwnersFile(path), out id);
                var inForce = _control.Change(request.Settings, ChangeSource.User, "retune");
                answer = new RetuneMessages.Answer(request.Id, true, Live(inForce), "");
            }
            catch (Exception e) when (e is FormatException or SettingRefusedException or IOException or UnauthorizedAccessException)
            {
                var why = e is SettingRefusedException ? e.Message : $"the request was rejected: {e.Message}";
                _log.WriteLine($"retune: {why} Nothing changed; in force: {SettingsControl.Describe(_control.Current)}");
                answer = new RetuneMessages.Answer(id ?? "", false, Live(_control.Current), why);
            }
            finally
            {
                File.Delete(path);
            }

            RetuneMessages.WriteAtomically(_run, RetuneMessages.AnswerFile, RetuneMessages.Write(answer));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.WriteLine($"retune: could not answer ({e.Message}); the settings in force are {SettingsControl.Describe(_control.Current)}.");
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private static string ReadOwnersFile(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is not null)
        {
            throw new UnauthorizedAccessException("the request file is a link; retune writes a plain file.");
        }

        if ((file.UnixFileMode & WritableByOthers) != 0)
        {
            throw new UnauthorizedAccessException("the request file may be written by others than its owner; retune writes it with mode 0600.");
        }

        if (file.Length > RetuneMessages.MaxBytes)
        {
            throw new FormatException($"the request file is {file.Length} bytes; a request is a few dozen.");
        }

        return File.ReadAllText(path);
    }

    private static Dictionary<SettingName, int> Live(PipelineSettings settings) => SettingNames.Live.ToDictionary(name => name, name => settings.Of(name));

    public void Dispose()
    {
        _registration.Dispose();
        _oneAtATime.Dispose();
    }
}
