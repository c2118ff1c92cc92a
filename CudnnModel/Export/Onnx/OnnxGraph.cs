using CatsDogs.Model.Export.Onnx.Proto;

namespace CatsDogs.Model.Export.Onnx;

/// <summary>
/// Builds an ONNX graph a node at a time. Each node has one output, named after the node, so that a layer's
/// name is both the node that computes it and the value it produces; weights are initializers under their
/// checkpoint names.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>The name of the batch dimension, left free so that any number of images can be given at once.</summary>
    public const string BatchDimension = "N";

    public OnnxGraph(string name) => Proto = new GraphProto { Name = name };

    public GraphProto Proto { get; }

    /// <summary>Adds a node of <paramref name="opType"/> named <paramref name="name"/>; returns its output.</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        Proto.Node.Add(new NodeProto { OpType = opType, Name = name, Input = { inputs }, Output = { name }, Attribute = { attributes } });
        return name;
    }

    /// <summary>A float32 initializer; <paramref name="dimensions"/> must hold exactly as many values as <paramref name="values"/>.</summary>
    public string Floats(string name, IReadOnlyList<long> dimensions, IReadOnlyCollection<float> values)
    {
        if (dimensions.Aggregate(1L, (product, dimension) => product * dimension) != values.Count)
        {
            throw new InvalidOperationException($"Tensor '{name}' has {values.Count} values, not the [{string.Join(", ", dimensions)}] its layer needs.");
        }

        Proto.Initializer.Add(new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, Dims = { dimensions }, FloatData = { values } });
        return name;
    }

    /// <summary>An int64 vector initializer, for inputs that are shapes or axes.</summary>
    public string Int64s(string name, params long[] values)
    {
        Proto.Initializer.Add(new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, Dims = { values.Length }, Int64Data = { values } });
        return name;
    }

    /// <summary>A graph input of [N, <paramref name="sizes"/>...] <paramref name="type"/> values.</summary>
    public void Input(string name, TensorProto.Types.DataType type, params long[] sizes) => Proto.Input.Add(Batched(name, type, sizes));

    /// <summary>A graph output of [N, <paramref name="sizes"/>...] <paramref name="type"/> values.</summary>
    public void Output(string name, TensorProto.Types.DataType type, params long[] sizes) => Proto.Output.Add(Batched(name, type, sizes));

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A typed value whose first dimension is the symbolic batch, <see cref="BatchDimension"/>.</summary>
    private static ValueInfoProto Batched(string name, TensorProto.Types.DataType type, long[] sizes)
    {
        var shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = BatchDimension } } };
        shape.Dim.Add(sizes.Select(size => new TensorShapeProto.Types.Dimension { DimValue = size }));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
