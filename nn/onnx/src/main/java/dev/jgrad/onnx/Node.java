package dev.jgrad.onnx;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.onnx.proto.OnnxProto.AttributeProto;
import dev.jgrad.onnx.proto.OnnxProto.NodeProto;
import dev.jgrad.onnx.proto.OnnxProto.TensorProto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One node as a mapping method sees it: its inputs (null for an omitted optional input), its
 * attributes, the opset, the device, and errors that name the node type, its name and its index
 * in the graph.
 */
final class Node {
    final NodeProto proto;
    final int index;
    final long opset;
    final Device device;
    final List<Value> inputs;
    private final Map<String, AttributeProto> attributes = new HashMap<>();

    Node(NodeProto proto, int index, long opset, Device device, List<Value> inputs) {
        this.proto = proto;
        this.index = index;
        this.opset = opset;
        this.device = device;
        this.inputs = inputs;
        for (AttributeProto a : proto.getAttributeList()) attributes.put(a.getName(), a);
    }

    /** {@code node #3 'Conv_3' (Conv)}: how every error names this node. */
    static String describe(NodeProto proto, int index) {
        return "node #" + index + " '" + proto.getName() + "' (" + proto.getOpType() + ")";
    }

    String describe() {
        return describe(proto, index);
    }

    /** The node uses something jgrad cannot do yet: an {@link UnsupportedOperationException} naming it. */
    UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException("ONNX " + describe() + ": " + what + " is not supported by jgrad yet");
    }

    /** The node is malformed: an {@link IllegalArgumentException} naming it. */
    IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("ONNX " + describe() + ": " + what);
    }

    int inputCount() {
        return inputs.size();
    }

    boolean has(int i) {
        return i < inputs.size() && inputs.get(i) != null;
    }

    Value value(int i) {
        if (!has(i)) throw bad("input " + i + " is missing");
        return inputs.get(i);
    }

    /** Input {@code i} as a float tensor (host ints are not accepted: ONNX's types are strict). */
    Tensor tensor(int i) {
        Value v = value(i);
        if (!v.isTensor()) throw unsupported("input " + i + " of type int64 " + Arrays.toString(v.shape()) + " where a float32 tensor is computed");
        return v.tensor();
    }

    /** Input {@code i} as host ints (a shape, axes, indices, pads...). */
    Ints ints(int i) {
        Value v = value(i);
        if (v.isTensor()) throw unsupported("input " + i + " given as a float32 tensor where int64 values (shape, axes, indices) are needed");
        return v.ints();
    }

    int outputCount() {
        return proto.getOutputCount();
    }

    /** Whether output {@code i} is used (named) by the graph. */
    boolean wantsOutput(int i) {
        return i < proto.getOutputCount() && !proto.getOutput(i).isEmpty();
    }

    boolean hasAttr(String name) {
        return attributes.containsKey(name);
    }

    long attrInt(String name, long dflt) {
        AttributeProto a = attributes.get(name);
        return a == null ? dflt : a.getI();
    }

    float attrFloat(String name, float dflt) {
        AttributeProto a = attributes.get(name);
        return a == null ? dflt : a.getF();
    }

    String attrString(String name, String dflt) {
        AttributeProto a = attributes.get(name);
        return a == null ? dflt : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** A list-of-ints attribute, or {@code null} when absent. */
    long[] attrInts(String name) {
        AttributeProto a = attributes.get(name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    float[] attrFloats(String name) {
        AttributeProto a = attributes.get(name);
        if (a == null) return null;
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) out[i] = a.getFloats(i);
        return out;
    }

    TensorProto attrTensor(String name) {
        AttributeProto a = attributes.get(name);
        return a == null || !a.hasT() ? null : a.getT();
    }

    /** Axes from input {@code i} (opset 13 and later) or from the attribute {@code name} (earlier); null when neither. */
    int[] axes(int i, String name) {
        if (has(i)) return ints(i).toIntArray(describe() + " axes");
        long[] a = attrInts(name);
        return a == null ? null : toInts(a, name);
    }

    int[] toInts(long[] values, String what) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < Integer.MIN_VALUE || values[i] > Integer.MAX_VALUE) throw bad(what + " value " + values[i] + " does not fit an int");
            out[i] = (int) values[i];
        }
        return out;
    }

    /** An axis, negative counting from the end, checked against {@code rank}. */
    int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw bad("axis " + axis + " is out of range for rank " + rank);
        return (int) a;
    }
}
