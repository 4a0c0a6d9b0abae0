package dev.jgrad.engine;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
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
 *
 * <p>Backends come from the {@link BackendProvider}s that {@link ServiceLoader} finds. A provider
 * that fails to load is skipped and reported ({@link #report()}, {@link #loadFailures()}); a kernel
 * set that cannot run in this JVM (such as {@code cpu-vectorized} without the Vector API) is
 * reported as unavailable with the reason. Every device's backend checks the sizes of its calls
 * ({@link AbstractBackend}).
 */
public final class Device {
    private static final Map<String, Device> BY_NAME = new LinkedHashMap<>();
    private static volatile List<Provider> providers;
    private static final List<String> failures = new ArrayList<>();
    private static volatile Device defaultDevice;

    private final Backend backend;

    private Device(Backend backend) {
        this.backend = backend;
    }

    /**
     * The backend that runs this device's ops. Every call is checked at the boundary
     * ({@link AbstractBackend}); a backend that implements {@link Backend} directly is returned
     * behind those checks, not as itself.
     */
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
            Provider best = null;
            for (Provider p : providers())
                if (p.autoSelectable() && p.reason() == null && (best == null || p.rank > best.rank)) best = p;
            if (best == null) throw new IllegalStateException("no usable backend: " + report());
            return wrap(best.create());
        }
        for (Provider p : providers()) {
            if (name.equals(p.type)) {
                String why = p.reason();
                if (why != null) throw new IllegalArgumentException("device '" + name + "' is not usable here: " + why);
                return wrap(p.create());
            }
        }
        for (Provider p : providers()) {
            if (p.reason() != null) continue;
            for (Backend b : p.variants()) if (b.name().equals(name)) return wrap(b);
            String why = p.unavailableVariants().get(name);
            if (why != null) throw new IllegalArgumentException("device '" + name + "' is not usable here: " + why);
        }
        throw new IllegalArgumentException("unknown device '" + name + "'; known: auto, " + names());
    }

    /**
     * Every device (every kernel set of every usable provider) this machine has, restricted to
     * {@code -Djgrad.devices} when that is set.
     */
    public static synchronized List<Device> all() {
        List<String> only = selected();
        List<Device> out = new ArrayList<>();
        for (Provider p : providers())
            if (p.reason() == null)
                for (Backend b : p.variants())
                    if (only.isEmpty() || only.contains(p.type) || only.contains(b.name())) out.add(wrap(b));
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

    /**
     * What cannot run here, each with the reason: device types (for example {@code cuda}) and the
     * kernel sets of usable types (for example {@code cpu-vectorized} without the Vector API).
     */
    public static synchronized Map<String, String> unavailable() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Provider p : providers()) {
            String why = p.reason();
            if (why != null) out.put(p.type, why);
            else out.putAll(p.unavailableVariants());
        }
        return out;
    }

    /**
     * The providers that {@link ServiceLoader} listed but that failed to load (their class is
     * missing, or its static initializer, constructor, {@code type()} or {@code rank()} threw), one
     * line each with what went wrong. They are skipped; every other provider works as usual.
     */
    public static synchronized List<String> loadFailures() {
        providers();
        return List.copyOf(failures);
    }

    /**
     * One line per provider: its type, rank and whether it is usable (and why not), then its kernel
     * sets, indented, those that cannot run here with the reason; last, each provider that failed to
     * load. What the {@code devices} command prints.
     */
    public static synchronized String report() {
        StringBuilder sb = new StringBuilder();
        for (Provider p : providers()) {
            String why = p.reason();
            sb.append(p.type).append(" (rank ").append(p.rank).append("): ")
              .append(why == null ? "usable" : "unavailable, " + why).append('\n');
            if (why != null) continue;
            for (Backend b : p.variants()) sb.append("  ").append(b.name()).append(": usable\n");
            p.unavailableVariants().forEach((variant, reason) ->
                    sb.append("  ").append(variant).append(": unavailable, ").append(reason).append('\n'));
        }
        for (String f : failures) sb.append("provider ").append(f).append('\n');
        return sb.toString().strip();
    }

    private static String names() {
        List<String> names = new ArrayList<>();
        for (Provider p : providers()) names.add(p.type);
        for (Provider p : providers())
            if (p.reason() == null) for (Backend b : p.variants()) names.add(b.name());
        return String.join(", ", names);
    }

    /**
     * The device of a backend, one per name. A backend that implements {@link Backend} directly
     * goes behind {@link AbstractBackend}'s boundary checks, so that every device checks its calls.
     */
    private static Device wrap(Backend backend) {
        return BY_NAME.computeIfAbsent(backend.name(),
                k -> new Device(backend instanceof AbstractBackend ? backend : new GuardedBackend(backend)));
    }

    private static List<Provider> providers() {
        List<Provider> list = providers;
        if (list == null) {
            list = new ArrayList<>();
            load(ServiceLoader.load(BackendProvider.class), list, failures);
            providers = list;
        }
        return list;
    }

    /** A lookup that fails this often in a row is not making progress (ServiceLoader's recovery is best effort). */
    private static final int MAX_FAILURES = 64;

    /**
     * Every provider {@code loader} finds that loads, into {@code loaded}; each one that does not
     * (its class is missing or throws while being made, or its {@code type()} or {@code rank()}
     * throws), as a line into {@code failed}.
     */
    private static void load(ServiceLoader<BackendProvider> loader, List<Provider> loaded, List<String> failed) {
        Iterator<BackendProvider> it = loader.iterator();
        for (int failuresInARow = 0; failuresInARow < MAX_FAILURES; ) {
            BackendProvider p;
            try {
                if (!it.hasNext()) return;
                p = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                failed.add(describe(e) + "; skipped");
                failuresInARow++;
                continue;
            }
            failuresInARow = 0;
            try {
                loaded.add(new Provider(p, p.type(), p.rank()));
            } catch (RuntimeException | LinkageError e) {
                failed.add(p.getClass().getName() + ": type() or rank() threw " + e + "; skipped");
            }
        }
        failed.add("(stopped looking after " + MAX_FAILURES + " failures in a row)");
    }

    /**
     * A ServiceLoader failure in one line, such as {@code com.example.GpuProvider could not be
     * instantiated: java.lang.IllegalStateException: no driver}: its message and what caused it.
     */
    private static String describe(Throwable e) {
        String message = String.valueOf(e.getMessage());
        // ServiceLoader's messages read "<service>: Provider <class> <what happened>"
        for (String prefix : new String[] {BackendProvider.class.getName() + ": ", "Provider "})
            if (message.startsWith(prefix)) message = message.substring(prefix.length());
        StringBuilder sb = new StringBuilder(message);
        String joint = ": ";
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < 4; cause = cause.getCause(), depth++) {
            if (cause instanceof InvocationTargetException) continue;
            sb.append(joint).append(cause);
            joint = ", caused by ";
        }
        return sb.toString();
    }

    /**
     * A provider that loaded, with the answers it gave while loading. Its other methods are asked
     * through here, so that one that throws makes it unavailable instead of breaking Device.
     */
    private record Provider(BackendProvider provider, String type, int rank) {
        String reason() {
            try {
                return provider.unavailableReason();
            } catch (RuntimeException | LinkageError e) {
                return provider.getClass().getName() + ".unavailableReason() threw " + e;
            }
        }

        boolean autoSelectable() {
            try {
                return provider.autoSelectable();
            } catch (RuntimeException | LinkageError e) {
                return false;
            }
        }

        Backend create() {
            return provider.create();
        }

        List<Backend> variants() {
            try {
                return provider.variants();
            } catch (RuntimeException | LinkageError e) {
                return List.of();
            }
        }

        Map<String, String> unavailableVariants() {
            try {
                return provider.unavailableVariants();
            } catch (RuntimeException | LinkageError e) {
                return Map.of();
            }
        }
    }
}
