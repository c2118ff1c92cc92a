using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace CatsDogs.Model.Checkpoints;

/// <summary>One float32 tensor of a safetensors file.</summary>
internal sealed record SafeTensor(string Name, int[] Shape, float[] Data);

/// <summary>
/// The safetensors format, written and read here without a library: an 8-byte little-endian
/// header length, a UTF-8 JSON header mapping names to dtype, shape and data_offsets (relative
/// to the end of the header) plus an optional "__metadata__" of strings, then the raw
/// little-endian data. The header is padded with spaces to a multiple of 8 bytes so that the
/// data is aligned, as the reference implementation does.
/// </summary>
internal static class SafeTensors
{
    private const string MetadataKey = "__metadata__";

    // The reference implementation refuses headers over 100 MB; so do we, before allocating.
    private const long MaxHeaderBytes = 100_000_000;

    public static byte[] Serialize(IReadOnlyList<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            var offset = 0L;
            foreach (var tensor in tensors)
            {
                if (tensor.Shape.Aggregate(1L, (product, dimension) => product * dimension) != tensor.Data.Length)
                {
                    throw new ArgumentException($"Tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Shape)}] but {tensor.Data.Length} values.");
                }

                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (var dimension in tensor.Shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += tensor.Data.Length * (long)sizeof(float);
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        var headerLength = (header.Length + 7) / 8 * 8;
        var dataLength = tensors.Sum(tensor => tensor.Data.Length * (long)sizeof(float));
        var file = new byte[8 + headerLength + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)headerLength);
        header.GetBuffer().AsSpan(0, (int)header.Length).CopyTo(file.AsSpan(8));
        file.AsSpan(8 + (int)header.Length, (int)(headerLength - header.Length)).Fill((byte)' ');
        var position = 8 + headerLength;
        foreach (var tensor in tensors)
        {
            var bytes = MemoryMarshal.AsBytes(tensor.Data.AsSpan());
            WriteLittleEndian(bytes, file.AsSpan((int)position, bytes.Length));
            position += bytes.Length;
        }

        return file;
    }

    public static (IReadOnlyList<SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Deserialize(ReadOnlySpan<byte> file)
    {
        if (file.Length < 8)
        {
            throw Invalid("it is shorter than the 8-byte header length");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > MaxHeaderBytes || (long)headerLength > file.Length - 8)
        {
            throw Invalid($"its header length {headerLength} does not fit a file of {file.Length} bytes");
        }

        var data = file[(8 + (int)headerLength)..];
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(file.Slice(8, (int)headerLength)));
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<SafeTensor>();
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == MetadataKey)
            {
                foreach (var item in entry.Value.EnumerateObject())
                {
                    metadata[item.Name] = item.Value.GetString() ?? string.Empty;
                }

                continue;
            }

            tensors.Add(ReadTensor(entry, data));
        }

        return (tensors, metadata);
    }

    private static SafeTensor ReadTensor(JsonProperty entry, ReadOnlySpan<byte> data)
    {
        var dtype = entry.Value.GetProperty("dtype").GetString();
        if (dtype != "F32")
        {
            throw Invalid($"tensor '{entry.Name}' is {dtype}; only F32 is supported");
        }

        var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(dimension => dimension.GetInt32()).ToArray();
        var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(offset => offset.GetInt64()).ToArray();
        var count = shape.Aggregate(1L, (product, dimension) => product * dimension);
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] > data.Length || offsets[1] - offsets[0] != count * sizeof(float))
        {
            throw Invalid($"tensor '{entry.Name}' has data_offsets [{string.Join(", ", offsets)}] that do not match its shape or the file");
        }

        var values = new float[count];
        WriteLittleEndian(data[(int)offsets[0]..(int)offsets[1]], MemoryMarshal.AsBytes(values.AsSpan()));
        return new SafeTensor(entry.Name, shape, values);
    }

    /// <summary>Copies float bytes between host order and the file's little-endian order.</summary>
    private static void WriteLittleEndian(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        if (!BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<byte, uint>(destination);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }

    private static InvalidDataException Invalid(string why) => new($"Not a valid safetensors file: {why}.");
}
