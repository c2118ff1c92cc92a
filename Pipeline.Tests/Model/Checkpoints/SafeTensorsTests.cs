using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using CatsDogs.Model.Checkpoints;

namespace CatsDogs.Tests.Model.Checkpoints;

public sealed class SafeTensorsTests
{
    private static readonly SafeTensor[] Tensors =
    [
        new("conv1.weight", [2, 1, 3, 3], Enumerable.Range(0, 18).Select(i => i * 0.25f - 2f).ToArray()),
        new("conv1.bias", [2], [float.MaxValue, -0f]),
        new("output.weight", [1, 3], [1e-30f, float.Epsilon, -7.5f]),
    ];

    [Fact]
    public void Round_trip_is_byte_exact_and_keeps_values_shapes_and_metadata()
    {
        var bytes = SafeTensors.Serialize(Tensors, new Dictionary<string, string> { ["model"] = "tiny" });

        var (tensors, metadata) = SafeTensors.Deserialize(bytes);

        Assert.Equal(bytes, SafeTensors.Serialize(tensors, metadata));
        Assert.Equal("tiny", metadata["model"]);
        Assert.Equal(Tensors.Select(t => t.Name), tensors.Select(t => t.Name));
        for (var i = 0; i < Tensors.Length; i++)
        {
            Assert.Equal(Tensors[i].Shape, tensors[i].Shape);
            Assert.Equal(Tensors[i].Data.Select(BitConverter.SingleToInt32Bits), tensors[i].Data.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Layout_follows_the_format_specification()
    {
        var bytes = SafeTensors.Serialize(Tensors);

        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength).TrimEnd(' '));
        var bias = header.RootElement.GetProperty("conv1.bias");
        Assert.Equal("F32", bias.GetProperty("dtype").GetString());
        Assert.Equal([2], bias.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        var offsets = bias.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        Assert.Equal([18 * 4, 20 * 4], offsets);
        Assert.Equal(float.MaxValue, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + headerLength + offsets[0])));
        Assert.Equal(8 + headerLength + 23 * 4, bytes.Length);
    }

    [Fact]
    public void A_truncated_file_is_rejected_with_a_reason()
    {
        var bytes = SafeTensors.Serialize(Tensors);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Deserialize(bytes.AsSpan(0, bytes.Length - 4)));
        Assert.Contains("output.weight", error.Message);
    }
}
