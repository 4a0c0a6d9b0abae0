package dev.jgrad.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.onnx.proto.OnnxProto.GraphProto;
import dev.jgrad.onnx.proto.OnnxProto.ModelProto;
import dev.jgrad.onnx.proto.OnnxProto.NodeProto;
import dev.jgrad.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.jgrad.onnx.proto.OnnxProto.TensorProto;
import dev.jgrad.onnx.proto.OnnxProto.TensorShapeProto;
import dev.jgrad.onnx.proto.OnnxProto.ValueInfoProto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model loaded for inference on one jgrad {@link Device}: the graph of a file written by
 * {@code torch.onnx.export}, its initializers as float32 tensors on the device (int64 ones, shapes
 * and indices, stay on the host), run forward node by node with jgrad's tensor ops.
 *
 * <pre>{@code
 * try (OnnxModel m = OnnxModel.load(Path.of("lenet.onnx"), Device.cpu())) {
 *     Map<String, Tensor> out = m.run(Map.of("input", images));
 * }
 * }</pre>
 *
 * <p>The node types jgrad runs are those of {@link OnnxOps#supported()}. Loading rejects a node
 * of any other type, and running rejects an attribute or a shape that jgrad's ops cannot do yet,
 * each with an {@link UnsupportedOperationException} naming the node type, its name and its index
 * in the graph. A file that is not a readable ONNX model gives an {@link IOException} naming it.
 */
public final class OnnxModel implements AutoCloseable {

    /** A graph input or output: its name, and its dimensions (-1 where symbolic, named in {@code symbols}). */
    public record ValueInfo(String name, int[] dims, String[] symbols) {
        /** Whether every dimension is known. */
        public boolean isStatic() {
            for (int d : dims) if (d < 0) return false;
            return true;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(name).append(" (");
            for (int i = 0; i < dims.length; i++) b.append(i > 0 ? ", " : "").append(dims[i] >= 0 ? String.valueOf(dims[i]) : symbols[i]);
            return b.append(")").toString();
        }
    }

    private final String source;
    private final Device device;
    private final GraphProto graph;
    private final long opset;
    private final Map<String, Value> initializers = new LinkedHashMap<>();
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();

    private OnnxModel(String source, Device device, ModelProto model) {
        this.source = source;
        this.device = device;
        this.graph = model.getGraph();
        long op = -1;
        for (OperatorSetIdProto o : model.getOpsetImportList())
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) op = o.getVersion();
        this.opset = op;
    }

    /** Reads {@code file} and puts its initializers on {@code device}. */
    public static OnnxModel load(Path file, Device device) throws IOException {
        ModelProto proto;
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setSizeLimit(Integer.MAX_VALUE);
            proto = ModelProto.parseFrom(coded);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + ": not a readable ONNX model (corrupt or truncated protobuf: " + e.getMessage() + ")", e);
        }
        return of(file.toString(), proto, device);
    }

    /** Parses the bytes of an ONNX file; {@code source} names it in errors. */
    public static OnnxModel parse(String source, byte[] bytes, Device device) throws IOException {
        try {
            return of(source, ModelProto.parseFrom(bytes), device);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(source + ": not a readable ONNX model (corrupt or truncated protobuf: " + e.getMessage() + ")", e);
        }
    }

    private static OnnxModel of(String source, ModelProto proto, Device device) throws IOException {
        if (!proto.hasGraph() || proto.getGraph().getNodeCount() == 0 && proto.getGraph().getOutputCount() == 0)
            throw new IOException(source + ": not an ONNX model: it has no graph (empty, truncated or another kind of file)");
        OnnxModel m = new OnnxModel(source, device, proto);
        if (m.opset < 0)
            throw new IOException(source + ": the model imports no opset of the default ONNX domain");
        try {
            m.check();
            m.loadInitializers();
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    /** Every node type known and every input defined before use, before anything runs. */
    private void check() throws IOException {
        Set<String> defined = new HashSet<>();
        for (TensorProto t : graph.getInitializerList()) defined.add(t.getName());
        for (ValueInfoProto v : graph.getInputList()) defined.add(v.getName());
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto n = graph.getNode(i);
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx"))
                throw new UnsupportedOperationException("ONNX " + Node.describe(n, i) + " in " + source + ": the operator domain '"
                        + n.getDomain() + "' is not supported by jgrad (only the default ONNX domain)");
            if (!OnnxOps.supported().contains(n.getOpType()))
                throw new UnsupportedOperationException("ONNX " + Node.describe(n, i) + " in " + source + ": the node type "
                        + n.getOpType() + " is not supported by jgrad yet (supported: " + String.join(", ", OnnxOps.supported()) + ")");
            for (String in : n.getInputList())
                if (!in.isEmpty() && !defined.contains(in))
                    throw new IOException(source + ": ONNX " + Node.describe(n, i) + " reads '" + in
                            + "', which no earlier node, input or initializer defines (the nodes must be in topological order)");
            defined.addAll(n.getOutputList());
        }
        Set<String> init = new HashSet<>();
        for (TensorProto t : graph.getInitializerList()) init.add(t.getName());
        for (ValueInfoProto v : graph.getInputList()) if (!init.contains(v.getName())) inputs.add(info(v));
        for (ValueInfoProto v : graph.getOutputList()) {
            if (!defined.contains(v.getName())) throw new IOException(source + ": the graph output '" + v.getName() + "' is never computed");
            outputs.add(info(v));
        }
    }

    private static ValueInfo info(ValueInfoProto v) {
        List<TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
        int[] d = new int[dims.size()];
        String[] s = new String[dims.size()];
        for (int i = 0; i < d.length; i++) {
            TensorShapeProto.Dimension dim = dims.get(i);
            d[i] = dim.hasDimValue() ? (int) dim.getDimValue() : -1;
            s[i] = dim.hasDimParam() ? dim.getDimParam() : dim.hasDimValue() ? null : "?";
        }
        return new ValueInfo(v.getName(), d, s);
    }

    private void loadInitializers() throws IOException {
        for (TensorProto t : graph.getInitializerList()) {
            try {
                initializers.put(t.getName(), toValue(t, device));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                throw new IOException(source + ": initializer '" + t.getName() + "': " + e.getMessage(), e);
            }
        }
    }

    // ONNX TensorProto.DataType values
    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7, BOOL = 9, DOUBLE = 11;

    /** A TensorProto as a value: float32 on {@code device}; int64/int32/int8/uint8/bool as host ints. */
    static Value toValue(TensorProto t, Device device) {
        int[] shape = new int[t.getDimsCount()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = t.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) throw new IllegalArgumentException("dimension " + d + " is out of range");
            shape[i] = (int) d;
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
        if (t.getDataLocation() == 1) throw new UnsupportedOperationException("external data (weights in a separate file) is not supported");
        ByteString raw = t.getRawData();
        boolean isRaw = t.hasRawData();
        switch (t.getDataType()) {
            case FLOAT -> {
                float[] v = new float[(int) n];
                if (isRaw) {
                    need(raw, 4 * n, "float32", shape);
                    raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                } else {
                    if (t.getFloatDataCount() != n) throw new IllegalArgumentException("float_data holds " + t.getFloatDataCount() + " values for shape " + Arrays.toString(shape));
                    for (int i = 0; i < n; i++) v[i] = t.getFloatData(i);
                }
                return Value.of(Tensor.of(device, v, shape));
            }
            case DOUBLE -> throw new UnsupportedOperationException("float64 tensors are not supported (jgrad computes in float32)");
            case INT64, INT32, INT8, UINT8, BOOL -> {
                long[] v = new long[(int) n];
                int dt = t.getDataType();
                if (isRaw) {
                    int width = dt == INT64 ? 8 : dt == INT32 ? 4 : 1;
                    need(raw, width * n, "integer", shape);
                    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < n; i++)
                        v[i] = switch (dt) {
                            case INT64 -> b.getLong();
                            case INT32 -> b.getInt();
                            case INT8 -> b.get();
                            default -> b.get() & 0xff;
                        };
                } else if (dt == INT64) {
                    if (t.getInt64DataCount() != n) throw new IllegalArgumentException("int64_data holds " + t.getInt64DataCount() + " values for shape " + Arrays.toString(shape));
                    for (int i = 0; i < n; i++) v[i] = t.getInt64Data(i);
                } else {
                    if (t.getInt32DataCount() != n) throw new IllegalArgumentException("int32_data holds " + t.getInt32DataCount() + " values for shape " + Arrays.toString(shape));
                    for (int i = 0; i < n; i++) v[i] = t.getInt32Data(i);
                }
                return Value.of(new Ints(shape, v));
            }
            default -> throw new UnsupportedOperationException("tensor data type " + t.getDataType() + " is not supported (float32 and integers only)");
        }
    }

    private static void need(ByteString raw, long bytes, String type, int[] shape) {
        if (raw.size() != bytes)
            throw new IllegalArgumentException("raw_data holds " + raw.size() + " bytes; " + type + " shape " + Arrays.toString(shape)
                    + " needs " + bytes + " (truncated?)");
    }

    /** The graph inputs the caller gives (initializers excluded), in graph order. */
    public List<ValueInfo> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<ValueInfo> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    /** The opset of the default ONNX domain the model imports. */
    public long opset() {
        return opset;
    }

    public Device device() {
        return device;
    }

    /** The node types of the graph, in order. */
    public List<String> nodeTypes() {
        return graph.getNodeList().stream().map(NodeProto::getOpType).toList();
    }

    /** The float32 initializers (the model's parameters and buffers), by name, on the device. */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        initializers.forEach((k, v) -> { if (v.isTensor()) out.put(k, v.tensor()); });
        return out;
    }

    /** Runs the graph on {@code inputs} given in graph order; the outputs in graph order. */
    public List<Tensor> run(Tensor... inputs) {
        if (inputs.length != this.inputs.size())
            throw new IllegalArgumentException(source + ": the model takes " + this.inputs.size() + " inputs " + this.inputs + ", got " + inputs.length);
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (int i = 0; i < inputs.length; i++) named.put(this.inputs.get(i).name(), inputs[i]);
        return new ArrayList<>(run(named).values());
    }

    /**
     * Runs the graph on the named inputs; the outputs by name, in graph order. The intermediate
     * tensors are released when the run ends (a {@link MemoryScope}), so repeated runs do not
     * grow device memory; the outputs belong to the caller.
     */
    public Map<String, Tensor> run(Map<String, Tensor> given) {
        try (MemoryScope scope = MemoryScope.open()) {
            Map<String, Tensor> out = runNodes(given);
            Map<String, Tensor> kept = new LinkedHashMap<>();
            boolean first = true;
            for (var e : out.entrySet()) {
                Tensor t = e.getValue();
                // a second output may share memory with the first (Split): a copy of its own, kept once
                if (!first) t = Tensor.zeros(device, t.shape()).copyFrom(t);
                kept.put(e.getKey(), MemoryScope.keep(t));
                first = false;
            }
            return kept;
        }
    }

    private Map<String, Tensor> runNodes(Map<String, Tensor> given) {
        Map<String, Value> env = new HashMap<>(initializers);
        for (ValueInfo in : inputs) {
            Tensor t = given.get(in.name());
            if (t == null) throw new IllegalArgumentException(source + ": input '" + in.name() + "' is missing (the model takes " + inputs + ")");
            if (t.rank() != in.dims().length)
                throw new IllegalArgumentException(source + ": input " + in + " has rank " + in.dims().length + ", got shape " + Arrays.toString(t.shape()));
            for (int d = 0; d < t.rank(); d++)
                if (in.dims()[d] >= 0 && in.dims()[d] != t.size(d))
                    throw new IllegalArgumentException(source + ": input " + in + " got shape " + Arrays.toString(t.shape()));
            env.put(in.name(), Value.of(t.device() == device ? t : t.to(device)));
        }
        for (String name : given.keySet())
            if (inputs.stream().noneMatch(i -> i.name().equals(name)))
                throw new IllegalArgumentException(source + ": the model has no input '" + name + "' (it takes " + inputs + ")");
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto n = graph.getNode(i);
            List<Value> args = new ArrayList<>(n.getInputCount());
            for (String in : n.getInputList()) args.add(in.isEmpty() ? null : env.get(in));
            Node node = new Node(n, i, opset, device, args);
            Value[] results;
            try {
                results = OnnxOps.run(node);
            } catch (UnsupportedOperationException e) {
                throw e.getMessage() != null && e.getMessage().startsWith("ONNX node") ? e
                        : new UnsupportedOperationException("ONNX " + node.describe() + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("ONNX " + node.describe() + " on inputs " + args + ": " + e.getMessage(), e);
            }
            for (int k = 0; k < n.getOutputCount(); k++) {
                String out = n.getOutput(k);
                if (out.isEmpty()) continue;
                if (k >= results.length || results[k] == null) throw node.unsupported("output " + k + " ('" + out + "')");
                env.put(out, results[k]);
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ValueInfo o : outputs) {
            Value v = env.get(o.name());
            out.put(o.name(), v.isTensor() ? v.tensor() : OnnxOps.toTensor(v.ints(), device));
        }
        return out;
    }

    @Override
    public void close() {
        for (Value v : initializers.values()) if (v.isTensor()) v.tensor().close();
        initializers.clear();
    }

    @Override
    public String toString() {
        return source + ": opset " + opset + ", " + graph.getNodeCount() + " nodes, inputs " + inputs + ", outputs " + outputs;
    }
}
