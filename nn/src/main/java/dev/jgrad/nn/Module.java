package dev.jgrad.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer or a model: parameters, non-trainable buffers (such as batch norm's running
 * statistics), child modules, and a training/evaluation mode. Names follow PyTorch's
 * {@code state_dict} convention ({@code features.0.weight}), so checkpoints line up.
 *
 * <p>Subclasses register what they own in their constructor with {@link #parameter},
 * {@link #buffer} and {@link #child}, and implement {@link #forward}.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor[]> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final java.util.Set<String> optionalBuffers = new java.util.HashSet<>();
    private boolean training = true;

    /** Computes this module's output. */
    public abstract Tensor forward(Tensor input);

    protected final Parameter parameter(String name, Tensor value) {
        Parameter p = new Parameter(value);
        parameters.put(name, p);
        return p;
    }

    /**
     * Registers a non-trainable tensor that belongs in the state dict. It is held in a one-element
     * array so that moving or loading can replace it; read it with {@code holder[0]}.
     */
    protected final Tensor[] buffer(String name, Tensor value) {
        Tensor[] holder = {value};
        buffers.put(name, holder);
        return holder;
    }

    /**
     * A {@link #buffer} that a state dict may lack (one written before the buffer existed, such as
     * a jgrad checkpoint from before batch norm's {@code num_batches_tracked}): loading such a
     * dict keeps the buffer's current value, as PyTorch does for that buffer.
     */
    protected final Tensor[] optionalBuffer(String name, Tensor value) {
        optionalBuffers.add(name);
        return buffer(name, value);
    }

    /**
     * The dotted names of this module's (and its descendants') {@link #optionalBuffer}s: the
     * state-dict entries that a loaded dict may lack.
     */
    public java.util.Set<String> optionalStateKeys() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        collectOptionalBuffers("", out);
        return out;
    }

    protected final <M extends Module> M child(String name, M module) {
        children.put(name, module);
        return module;
    }

    /** Direct children in registration order. */
    public Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** Every parameter of this module and its descendants, by dotted name. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters("", out);
        return out;
    }

    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    private void collectParameters(String prefix, Map<String, Parameter> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p));
        children.forEach((name, c) -> c.collectParameters(prefix + name + ".", out));
    }

    private void collectBuffers(String prefix, Map<String, Tensor[]> out) {
        buffers.forEach((name, b) -> out.put(prefix + name, b));
        children.forEach((name, c) -> c.collectBuffers(prefix + name + ".", out));
    }

    private void collectOptionalBuffers(String prefix, java.util.Set<String> out) {
        optionalBuffers.forEach(name -> out.add(prefix + name));
        children.forEach((name, c) -> c.collectOptionalBuffers(prefix + name + ".", out));
    }

    /**
     * Parameters and buffers by dotted name (the tensors themselves, not copies), in PyTorch's
     * order: each module's parameters, then its buffers, then its children's entries.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p.value()));
        buffers.forEach((name, b) -> out.put(prefix + name, b[0]));
        children.forEach((name, c) -> c.collectState(prefix + name + ".", out));
    }

    /**
     * Replaces every parameter and buffer with the tensor of the same name. Validates everything
     * first (no missing, unexpected or mis-shaped entry) so that a bad state dict changes nothing.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Parameter> params = namedParameters();
        Map<String, Tensor[]> bufs = new LinkedHashMap<>();
        collectBuffers("", bufs);
        java.util.Set<String> optional = new java.util.HashSet<>();
        collectOptionalBuffers("", optional);
        bufs.keySet().removeIf(name -> optional.contains(name) && !state.containsKey(name));   // kept as they are
        List<String> problems = new ArrayList<>();
        for (var e : params.entrySet()) check(e.getKey(), e.getValue().shape(), state, problems);
        for (var e : bufs.entrySet()) check(e.getKey(), e.getValue()[0].shape(), state, problems);
        for (String name : state.keySet())
            if (!params.containsKey(name) && !bufs.containsKey(name)) problems.add("unexpected entry " + name);
        if (!problems.isEmpty())
            throw new IllegalArgumentException("loadStateDict: " + String.join("; ", problems));
        for (var e : params.entrySet()) {
            Tensor current = e.getValue().value();
            e.getValue().replace(state.get(e.getKey()).detach().to(current.device()).contiguous());
        }
        for (var e : bufs.entrySet()) {
            Tensor current = e.getValue()[0];
            e.getValue()[0] = MemoryScope.keep(state.get(e.getKey()).detach().to(current.device()).contiguous());
        }
    }

    private static void check(String name, int[] shape, Map<String, Tensor> state, List<String> problems) {
        Tensor t = state.get(name);
        if (t == null) problems.add("missing entry " + name);
        else if (!Arrays.equals(t.shape(), shape))
            problems.add(name + " has shape " + Shapes.str(t.shape()) + ", the model needs " + Shapes.str(shape));
    }

    /** Moves every parameter and buffer to {@code device}. */
    public Module to(Device device) {
        for (Parameter p : parameters.values()) p.moveTo(device);
        for (Tensor[] b : buffers.values()) b[0] = MemoryScope.keep(b[0].to(device));
        for (Module c : children.values()) c.to(device);
        return this;
    }

    /** Training mode (batch statistics, dropout on); the default. */
    public Module train() {
        return setTraining(true);
    }

    /** Evaluation mode (running statistics, dropout off). */
    public Module eval() {
        return setTraining(false);
    }

    private Module setTraining(boolean value) {
        training = value;
        for (Module c : children.values()) c.setTraining(value);
        return this;
    }

    public boolean isTraining() {
        return training;
    }

    /** Clears every parameter's gradient. */
    public void zeroGrad() {
        for (Parameter p : parameters()) p.zeroGrad();
    }

    /** Total number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) n += p.value().numel();
        return n;
    }
}
