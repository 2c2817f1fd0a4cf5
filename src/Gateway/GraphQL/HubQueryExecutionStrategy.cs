using System.Collections;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using GraphQL.Execution;
using GraphQL.Types;
using GraphQLParser.AST;
using ExecutionContext = GraphQL.Execution.ExecutionContext;

namespace SharingHub.Gateway.GraphQL;

/// <summary>
/// The strategy of queries and mutations: GraphQL.NET's serial strategy (one operation, one DbContext; the batching
/// loaders still batch), with a cheaper path for plain fields (<see cref="IPlainFieldResolver"/>). A plain field is
/// read straight from its source, or from what the operation has already loaded; an object or a list of objects whose
/// selected fields are all plain, at any depth, is read whole into one execution node (<see cref="PlainExecutionNode"/>)
/// instead of one node per field and item. The cheap path gives the same answer as the full one or is not taken:
/// whatever it cannot answer exactly (a reader that throws, a value not loaded yet, a null in a non-null field, a
/// selection that is not plain) goes the full way, which reports it.
/// </summary>
internal sealed class HubQueryExecutionStrategy : SerialExecutionStrategy
{
    protected override Task ExecuteNodeAsync(ExecutionContext context, ExecutionNode node)
    {
        if (node is PlainExecutionNode)
        {
            return Task.CompletedTask;
        }
        if (node.FieldDefinition?.Resolver is IPlainFieldResolver plain && node.Parent is ObjectExecutionNode && node is not RootExecutionNode)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (plain.TryRead(node.Source, context.UserContext, out var value))
                {
                    node.Result = value;
                    return CompleteNodeAsync(context, node);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                node.Result = null;
            }
            return base.ExecuteNodeAsync(context, node);
        }
        return base.ExecuteNodeAsync(context, node);
    }

    // A plain object or list child is read now, whole, into one node.
    protected override void SetSubFieldNodes(ExecutionContext context, ObjectExecutionNode parent)
    {
        base.SetSubFieldNodes(context, parent);
        if (parent is RootExecutionNode || parent.SubFields is not { } children)
        {
            return;
        }
        for (var i = 0; i < children.Length; i++)
        {
            var child = children[i];
            if (child is ValueExecutionNode || child.FieldDefinition?.Resolver is not IPlainFieldResolver plain)
            {
                continue;
            }
            var shape = ShapeOf(context, child.FieldDefinition.ResolvedType!, child.Field);
            if (shape is null)
            {
                continue;
            }
            object? raw;
            try
            {
                if (!plain.TryRead(parent.Result, context.UserContext, out raw))
                {
                    continue;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                continue;
            }
            if (shape.TryRead(raw, out var value))
            {
                children[i] = new PlainExecutionNode(parent, child.GraphType, child.Field, child.FieldDefinition, null, value);
            }
        }
    }

    // The items of a list of objects whose selection is plain: one node each.
    protected override Task SetArrayItemNodesAsync(ExecutionContext context, ArrayExecutionNode parent)
    {
        var itemType = ((ListGraphType)parent.GraphType!).ResolvedType!;
        var nonNull = itemType is NonNullGraphType;
        var namedItem = nonNull ? ((NonNullGraphType)itemType).ResolvedType! : itemType;
        if (namedItem is not IObjectGraphType objectType || namedItem is IAbstractGraphType || parent.Result is not IList list
            || PlainSelection(context, objectType, parent.Field) is not { } shape)
        {
            return base.SetArrayItemNodesAsync(context, parent);
        }
        var items = new List<ExecutionNode>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not { } item || !shape.TryRead(item, out var value))
            {
                return base.SetArrayItemNodesAsync(context, parent);
            }
            items.Add(new PlainExecutionNode(parent, namedItem, parent.Field, parent.FieldDefinition, i, value));
        }
        parent.Items = items;
        return Task.CompletedTask;
    }

    // What a field of this type and selection reads into; null when some of it is not plain. Kept for the operation,
    // since the same selection is read once per item of a page.
    private Shape? ShapeOf(ExecutionContext context, IGraphType type, GraphQLField field)
    {
        var cache = (context.UserContext as HubRequestContext)?.PlainShapes;
        if (cache is not null && cache.TryGetValue((field, type), out var known))
        {
            return known;
        }
        var named = type is NonNullGraphType wrapped ? wrapped.ResolvedType! : type;
        var nonNull = !ReferenceEquals(named, type);
        Shape? shape = named switch
        {
            ScalarGraphType scalar => new ScalarShape(scalar, nonNull),
            ListGraphType list => ShapeOf(context, list.ResolvedType!, field) is { } item ? new ListShape(item, nonNull) : null,
            IAbstractGraphType => null,
            IObjectGraphType objectType => ObjectShapeOf(context, objectType, field, nonNull),
            _ => null,
        };
        cache?.Add((field, type), shape);
        return shape;
    }

    // The selection of an object type, when every selected field is plain.
    private ObjectShape? PlainSelection(ExecutionContext context, IObjectGraphType type, GraphQLField field) =>
        ShapeOf(context, type, field) as ObjectShape;

    private ObjectShape? ObjectShapeOf(ExecutionContext context, IObjectGraphType type, GraphQLField field, bool nonNull)
    {
        if (field.SelectionSet is not { } selection)
        {
            return null;
        }
        var fields = CollectFieldsFrom(context, type, selection, null);
        var names = new JsonEncodedText[fields.Count];
        var readers = new IPlainFieldResolver[fields.Count];
        var shapes = new Shape[fields.Count];
        var i = 0;
        foreach (var (name, (subField, definition)) in fields)
        {
            if (definition.Resolver is not IPlainFieldResolver reader || ShapeOf(context, definition.ResolvedType!, subField) is not { } fieldShape)
            {
                return null;
            }
            names[i] = JsonEncodedText.Encode(name);
            readers[i] = reader;
            shapes[i] = fieldShape;
            i++;
        }
        return new ObjectShape(type, names, readers, shapes, context.UserContext, nonNull);
    }

    /// <summary>How one selected value is read: a scalar, a list or an object.</summary>
    internal abstract class Shape(bool nonNull)
    {
        public bool NonNull { get; } = nonNull;

        /// <summary>Reads <paramref name="raw"/> as the full path would answer it; false where that answer would be an error.</summary>
        public bool TryRead(object? raw, out object? value)
        {
            if (raw is null)
            {
                value = null;
                return !NonNull;
            }
            return TryReadValue(raw, out value) && (value is not null || !NonNull);
        }

        protected abstract bool TryReadValue(object raw, out object? value);
    }

    internal sealed class ScalarShape(ScalarGraphType scalar, bool nonNull) : Shape(nonNull)
    {
        protected override bool TryReadValue(object raw, out object? value)
        {
            try
            {
                value = scalar.Serialize(raw);
                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                value = null;
                return false;
            }
        }
    }

    internal sealed class ListShape(Shape item, bool nonNull) : Shape(nonNull)
    {
        protected override bool TryReadValue(object raw, out object? value)
        {
            value = null;
            if (raw is not IEnumerable items || raw is string)
            {
                return false;
            }
            var values = new List<object?>((raw as ICollection)?.Count ?? 4);
            foreach (var entry in items)
            {
                if (!item.TryRead(entry, out var itemValue))
                {
                    return false;
                }
                values.Add(itemValue);
            }
            value = new PlainList(values);
            return true;
        }
    }

    internal sealed class ObjectShape(IObjectGraphType type, JsonEncodedText[] names, IPlainFieldResolver[] readers, Shape[] shapes,
        object? userContext, bool nonNull)
        : Shape(nonNull)
    {
        protected override bool TryReadValue(object raw, out object? value)
        {
            value = null;
            if (type.IsTypeOf is { } isTypeOf && !type.SkipTypeCheck && !isTypeOf(raw))
            {
                return false;
            }
            var values = new object?[readers.Length];
            for (var i = 0; i < readers.Length; i++)
            {
                object? fieldRaw;
                try
                {
                    if (!readers[i].TryRead(raw, userContext, out fieldRaw))
                    {
                        return false;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    return false;
                }
                if (!shapes[i].TryRead(fieldRaw, out values[i]))
                {
                    return false;
                }
            }
            value = new PlainObject(names, values);
            return true;
        }
    }
}

/// <summary>
/// An object or a list read whole by the plain path. It is serialized as the full path's nodes would be (the
/// response's JSON converter writes <see cref="ExecutionNode.ToValue"/> of a node it does not know with its options).
/// </summary>
internal sealed class PlainExecutionNode : ExecutionNode
{
    public PlainExecutionNode(ExecutionNode parent, IGraphType graphType, GraphQLField field, FieldType fieldDefinition, int? indexInParentNode, object? value)
        : base(parent, graphType, field, fieldDefinition, indexInParentNode)
    {
        Result = value;
    }

    public override object? ToValue() => Result;
}

/// <summary>An object's selected fields, by response name, in the selection's order.</summary>
[JsonConverter(typeof(PlainObjectJsonConverter))]
internal sealed class PlainObject(JsonEncodedText[] names, object?[] values)
{
    public JsonEncodedText[] Names { get; } = names;

    public object?[] Values { get; } = values;
}

/// <summary>A list's items.</summary>
[JsonConverter(typeof(PlainListJsonConverter))]
internal sealed class PlainList(List<object?> items)
{
    public List<object?> Items { get; } = items;
}

internal sealed class PlainObjectJsonConverter : JsonConverter<PlainObject>
{
    public override PlainObject Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Plain values are written only.");

    public override void Write(Utf8JsonWriter writer, PlainObject value, JsonSerializerOptions options) => PlainJson.Write(writer, value, options);
}

internal sealed class PlainListJsonConverter : JsonConverter<PlainList>
{
    public override PlainList Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Plain values are written only.");

    public override void Write(Utf8JsonWriter writer, PlainList value, JsonSerializerOptions options) => PlainJson.Write(writer, value, options);
}

/// <summary>Writes plain values; scalars as GraphQL.NET's converter writes them (the serialized value, with the response's options).</summary>
internal static class PlainJson
{
    public static void Write(Utf8JsonWriter writer, object? value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            // The scalars the schema's types serialize to, written as the serializer's own converters write them, when
            // the response's options leave those converters alone.
            case bool flag when DefaultScalars(options):
                writer.WriteBooleanValue(flag);
                break;
            case int number when DefaultScalars(options):
                writer.WriteNumberValue(number);
                break;
            case long number when DefaultScalars(options):
                writer.WriteNumberValue(number);
                break;
            case double number when double.IsFinite(number) && DefaultScalars(options):
                writer.WriteNumberValue(number);
                break;
            case DateTimeOffset instant when DefaultScalars(options):
                writer.WriteStringValue(instant);
                break;
            case PlainObject plain:
                writer.WriteStartObject();
                for (var i = 0; i < plain.Names.Length; i++)
                {
                    writer.WritePropertyName(plain.Names[i]);
                    Write(writer, plain.Values[i], options);
                }
                writer.WriteEndObject();
                break;
            case PlainList list:
                writer.WriteStartArray();
                foreach (var item in list.Items)
                {
                    Write(writer, item, options);
                }
                writer.WriteEndArray();
                break;
            default:
                JsonSerializer.Serialize(writer, value, options);
                break;
        }
    }

    private static readonly ConditionalWeakTable<JsonSerializerOptions, object> Defaults = [];

    // Whether options write bool, int, long, double and DateTimeOffset with the serializer's built-in converters.
    private static bool DefaultScalars(JsonSerializerOptions options) =>
        Defaults.GetValue(options, o => (o.NumberHandling & JsonNumberHandling.WriteAsString) == 0
            && !o.Converters.Any(c => c.CanConvert(typeof(bool)) || c.CanConvert(typeof(int)) || c.CanConvert(typeof(long))
                || c.CanConvert(typeof(double)) || c.CanConvert(typeof(DateTimeOffset)))) is true;
}
