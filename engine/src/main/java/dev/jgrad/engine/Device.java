package dev.jgrad.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Where a tensor lives: one {@link Backend} instance. Tensors on different devices never meet in
 * one op; {@link Tensor#to(Device)} moves data between them.
 *
 * <p>Selection: {@code -Djgrad.device=cpu|cuda|auto} (default {@code auto}: the usable backend of
 * highest rank), and for the CPU {@code -Djgrad.cpu.kernels=looped|vectorized} (default
 * vectorized). A name that includes the kernel set, such as {@code cpu-looped}, picks that set.
 * {@code auto} never picks a test device such as {@code cuda (emulated)}.
 *
 * <p>{@code -Djgrad.devices=cuda,cpu-looped} (a comma-separated list of device types or names)
 * restricts {@link #all()}, the list the conformance suite and the benchmarks run over; for
 * example a GPU check runs the suite on the GPU only.
 */
public final class Device {
    private static final Map<String, Device> BY_NAME = new LinkedHashMap<>();
    private static volatile List<BackendProvider> providers;
    private static volatile Device defaultDevice;

    private final Backend backend;

    private Device(Backend backend) {
        this.backend = backend;
    }

    /** The backend that runs this device's ops. */
    public Backend backend() {
        return backend;
    }

    /** The backend's name, e.g. {@code cpu-vectorized}. */
    public String name() {
        return backend.name();
    }

    @Override
    public String toString() {
        return name();
    }

    /** The device selected by {@code -Djgrad.device} (default {@code auto}). */
    public static Device defaultDevice() {
        Device d = defaultDevice;
        if (d == null) {
            synchronized (Device.class) {
                if (defaultDevice == null) defaultDevice = get(System.getProperty("jgrad.device", "auto"));
                d = defaultDevice;
            }
        }
        return d;
    }

    /** The default CPU device ({@code -Djgrad.cpu.kernels} chooses its kernel set). */
    public static Device cpu() {
        return get("cpu");
    }

    /**
     * A device by name: {@code auto}, a type ({@code cpu}, {@code cuda}) or a kernel set
     * ({@code cpu-looped}, {@code cpu-vectorized}).
     *
     * @throws IllegalArgumentException if no such device exists or it cannot run here, with the reason
     */
    public static synchronized Device get(String name) {
        if (name.equals("auto")) {
            BackendProvider best = null;
            for (BackendProvider p : providers())
                if (p.autoSelectable() && p.unavailableReason() == null && (best == null || p.rank() > best.rank())) best = p;
            if (best == null) throw new IllegalStateException("no usable backend: " + report());
            return wrap(best.create());
        }
        for (BackendProvider p : providers()) {
            if (name.equals(p.type())) {
                String why = p.unavailableReason();
                if (why != null) throw new IllegalArgumentException("device '" + name + "' is not usable here: " + why);
                return wrap(p.create());
            }
        }
        for (BackendProvider p : providers())
            if (p.unavailableReason() == null)
                for (Backend b : p.variants()) if (b.name().equals(name)) return wrap(b);
        throw new IllegalArgumentException("unknown device '" + name + "'; known: auto, " + names());
    }

    /**
     * Every device (every kernel set of every usable provider) this machine has, restricted to
     * {@code -Djgrad.devices} when that is set.
     */
    public static synchronized List<Device> all() {
        List<String> only = selected();
        List<Device> out = new ArrayList<>();
        for (BackendProvider p : providers())
            if (p.unavailableReason() == null)
                for (Backend b : p.variants())
                    if (only.isEmpty() || only.contains(p.type()) || only.contains(b.name())) out.add(wrap(b));
        return out;
    }

    /** The entries of {@code -Djgrad.devices}, or none (no restriction). */
    private static List<String> selected() {
        String spec = System.getProperty("jgrad.devices", "").strip();
        if (spec.isEmpty()) return List.of();
        List<String> out = new ArrayList<>();
        for (String part : spec.split(",")) if (!part.isBlank()) out.add(part.strip());
        return out;
    }

    /** The device types that cannot run here, each with the reason (for example {@code cuda}). */
    public static synchronized Map<String, String> unavailable() {
        Map<String, String> out = new LinkedHashMap<>();
        for (BackendProvider p : providers())
            if (p.unavailableReason() != null) out.put(p.type(), p.unavailableReason());
        return out;
    }

    /** One line per provider: its type, rank and whether it is usable (and why not). */
    public static String report() {
        StringBuilder sb = new StringBuilder();
        for (BackendProvider p : providers()) {
            String why = p.unavailableReason();
            sb.append(p.type()).append(" (rank ").append(p.rank()).append("): ")
              .append(why == null ? "usable" : "unavailable, " + why).append('\n');
        }
        return sb.toString().strip();
    }

    private static String names() {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : providers()) names.add(p.type());
        for (BackendProvider p : providers())
            if (p.unavailableReason() == null) for (Backend b : p.variants()) names.add(b.name());
        return String.join(", ", names);
    }

    private static Device wrap(Backend backend) {
        return BY_NAME.computeIfAbsent(backend.name(), k -> new Device(backend));
    }

    private static List<BackendProvider> providers() {
        List<BackendProvider> list = providers;
        if (list == null) {
            list = new ArrayList<>();
            for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) list.add(p);
            providers = list;
        }
        return list;
    }
}
