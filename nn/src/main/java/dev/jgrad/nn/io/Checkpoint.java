package dev.jgrad.nn.io;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint: named tensors and named scalar values in one safetensors file (see
 * {@link SafeTensors} for the layout). The tensors are the file's entries; the values live in its
 * {@code __metadata__} next to {@value #FORMAT_KEY}{@code : "1"}, which marks the file as a
 * checkpoint of this format's version 1. Numbers are written as Java prints them
 * ({@link Double#toString}, {@link Long#toString}), which reads back to the same bits.
 *
 * <p>Names group by dotted prefix: {@link #put(String, Map)} stores a state dict under
 * {@code prefix.name} and {@link #tensors(String)} gives it back. What a
 * {@link dev.jgrad.nn.train.Trainer} puts in, and under which names, is described there.
 *
 * <p>Saving is atomic (a temporary file renamed into place), so an interrupted save leaves the
 * previous checkpoint whole. Reading a file that is not a checkpoint, or is damaged, gives an
 * {@link IOException} naming the file; asking for an entry the checkpoint lacks, or one that is
 * not a number, gives an {@link IllegalArgumentException} naming the file and the entry.
 */
public final class Checkpoint implements AutoCloseable {
    /** The metadata key that marks a checkpoint; its value is the format version. */
    public static final String FORMAT_KEY = "jgrad_checkpoint";
    /** The version this class writes and reads. */
    public static final String VERSION = "1";

    private final String origin;
    private final boolean ownsTensors;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    /** An empty checkpoint, to be filled and {@link #save saved}. */
    public Checkpoint() {
        this("checkpoint", false);
    }

    private Checkpoint(String origin, boolean ownsTensors) {
        this.origin = origin;
        this.ownsTensors = ownsTensors;
    }

    /** True when a safetensors file's metadata marks it as a checkpoint (of any version). */
    public static boolean isCheckpoint(Map<String, String> metadata) {
        return metadata.containsKey(FORMAT_KEY);
    }

    /**
     * Reads a checkpoint onto {@code device}.
     *
     * @throws IOException if the file is unreadable, not valid safetensors, not a checkpoint, or
     *                     of another version
     */
    public static Checkpoint load(Path file, Device device) throws IOException {
        SafeTensors.Contents contents = SafeTensors.read(file, device);
        String version = contents.metadata().get(FORMAT_KEY);
        if (version == null || !version.equals(VERSION)) {
            contents.tensors().values().forEach(Tensor::close);
            throw new IOException(file + (version == null
                    ? ": not a training checkpoint (a safetensors file without \"" + FORMAT_KEY + "\" in its metadata;"
                      + " weights alone load with SafeTensors.loadInto)"
                    : ": checkpoint format version " + Snippets.bare(version) + ", this jgrad reads version " + VERSION));
        }
        Checkpoint c = new Checkpoint(file.toString(), true);
        c.tensors.putAll(contents.tensors());
        contents.metadata().forEach((k, v) -> {
            if (!k.equals(FORMAT_KEY) && !k.equals("format")) c.values.put(k, v);
        });
        return c;
    }

    /**
     * Writes this checkpoint to {@code file} atomically (tensors from any device).
     *
     * @throws IOException if writing fails; {@code file} is then unchanged
     */
    public void save(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, VERSION);
        meta.putAll(values);
        SafeTensors.save(file, tensors, meta);
    }

    /** Adds a tensor (saved as it is when {@link #save} runs, so not changed until then). */
    public Checkpoint put(String name, Tensor tensor) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("checkpoint: empty tensor name");
        if (tensor == null) throw new IllegalArgumentException("checkpoint: tensor " + Snippets.quote(name) + " is null");
        tensors.put(name, tensor);
        return this;
    }

    /** Adds every tensor of {@code state} as {@code prefix.name}. */
    public Checkpoint put(String prefix, Map<String, Tensor> state) {
        state.forEach((name, t) -> put(prefix + "." + name, t));
        return this;
    }

    /** Sets a value; the keys {@value #FORMAT_KEY} and {@code format} are the file's own. */
    public Checkpoint set(String key, String value) {
        if (key == null || key.isEmpty() || key.equals(FORMAT_KEY) || key.equals("format"))
            throw new IllegalArgumentException("checkpoint: reserved or empty key " + Snippets.quote(key));
        if (value == null) throw new IllegalArgumentException("checkpoint: value of " + Snippets.quote(key) + " is null");
        values.put(key, value);
        return this;
    }

    public Checkpoint set(String key, long value) {
        return set(key, Long.toString(value));
    }

    /** Stores {@code value} exactly (its shortest decimal form that reads back to the same double). */
    public Checkpoint set(String key, double value) {
        return set(key, Double.toString(value));
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    /** @throws IllegalArgumentException naming the checkpoint and the key when it is absent */
    public String string(String key) {
        String v = values.get(key);
        if (v == null) throw new IllegalArgumentException(origin + ": no " + Snippets.quote(key) + " in the checkpoint");
        return v;
    }

    public long longValue(String key) {
        String v = string(key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(origin + ": " + Snippets.quote(key) + " is " + Snippets.quote(v)
                    + ", not an integer");
        }
    }

    public int intValue(String key) {
        long v = longValue(key);
        if (v != (int) v)
            throw new IllegalArgumentException(origin + ": " + Snippets.quote(key) + " is " + v + ", out of int range");
        return (int) v;
    }

    public double doubleValue(String key) {
        String v = string(key);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(origin + ": " + Snippets.quote(key) + " is " + Snippets.quote(v)
                    + ", not a number");
        }
    }

    /** @throws IllegalArgumentException naming the checkpoint and the tensor when it is absent */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException(origin + ": no tensor " + Snippets.quote(name) + " in the checkpoint");
        return t;
    }

    /** The tensors stored as {@code prefix.name}, by {@code name}, in file order. */
    public Map<String, Tensor> tensors(String prefix) {
        return section(tensors, prefix);
    }

    /** The entries of a state dict named {@code prefix.name}, by {@code name}, in order. */
    public static Map<String, Tensor> section(Map<String, Tensor> tensors, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        String start = prefix + ".";
        tensors.forEach((name, t) -> {
            if (name.startsWith(start)) out.put(name.substring(start.length()), t);
        });
        return out;
    }

    /** All values (without the format marker), in order. */
    public Map<String, String> values() {
        return Collections.unmodifiableMap(values);
    }

    /** Where this checkpoint came from (its file), for messages. */
    public String origin() {
        return origin;
    }

    /** Releases the tensors of a loaded checkpoint (a new one holds the caller's tensors: they stay). */
    @Override
    public void close() {
        if (ownsTensors) tensors.values().forEach(Tensor::close);
    }
}
