using CatsDogs.Model.Checkpoints;

namespace CatsDogs.Tests.Model.Checkpoints;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("catsdogs-atomic-").FullName;

    [Fact]
    public void A_write_that_fails_midway_keeps_the_previous_file_and_leaves_no_temporary()
    {
        var path = Path.Combine(_folder, "last.json");
        AtomicFile.Write(path, stream => stream.Write("good"u8));

        var error = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half of a new fi"u8);
            throw new IOException("No space left on device");
        }));

        Assert.Equal("good"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("No space left on device", error.Message);
        Assert.Contains("previous file", error.Message);
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public void A_successful_write_replaces_the_file()
    {
        var path = Path.Combine(_folder, "nested", "state.json");
        AtomicFile.Write(path, stream => stream.Write("old"u8));

        AtomicFile.Write(path, stream => stream.Write("new"u8));

        Assert.Equal("new"u8.ToArray(), File.ReadAllBytes(path));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
