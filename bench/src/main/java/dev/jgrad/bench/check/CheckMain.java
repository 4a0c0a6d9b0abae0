package dev.jgrad.bench.check;

import dev.jgrad.engine.Device;
import dev.jgrad.cuda.CudaBackend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The Java steps of the first-GPU check ({@code bundle/run-gpu.sh check}); each runs in a JVM of
 * its own, so that one crash or sticky CUDA error cannot take the others with it:
 * <pre>
 *   CheckMain devices RAW     what jgrad sees; exit 3 when the check's device is not usable
 *   CheckMain kernels RAW     the four target kernels and their ceilings: RAW/kernels.tsv
 *   CheckMain memory RAW      the device-memory growth check: RAW/memory.tsv
 *   CheckMain lenet RAW DATA  LeNet on Fashion-MNIST from DATA: RAW/lenet.tsv
 *   CheckMain report RAW BASE the report: BASE.md and BASE.json from everything in RAW
 * </pre>
 * The device comes from {@code -Djgrad.check.device} (default {@code cuda}) through
 * {@link Device#get}, as everywhere else; the sizes from {@code -Djgrad.check.size} ({@link CheckSize}).
 * Each step ends with one line {@code check: STEP: ok|failed: NOTE}, which the script puts in
 * its summary. Exit status: 0 ok, 1 failed, 3 the device is not usable here.
 */
public final class CheckMain {
    private CheckMain() {}

    static final int NO_DEVICE = 3;

    /** The device is not usable here; the message says why. */
    static final class NoDevice extends RuntimeException {
        NoDevice(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: CheckMain devices|kernels|memory|nccl|lenet|report RAW_DIR [DATA_DIR|BASE]");
            System.exit(2);
        }
        String step = args[0];
        Path raw = Path.of(args[1]);
        int rc;
        String note;
        try {
            Files.createDirectories(raw);
            CheckSize size = CheckSize.fromProperty();
            switch (step) {
                case "devices" -> {
                    note = devices();
                    rc = 0;
                }
                case "kernels" -> {
                    int failed = KernelCheck.run(device(), size, raw.resolve("kernels.tsv"));
                    rc = failed == 0 ? 0 : 1;
                    note = failed == 0 ? "every kernel matched float64 and was timed" : failed + " measurement(s) failed";
                }
                case "memory" -> {
                    String grew = MemoryCheck.run(device(), size, raw.resolve("memory.tsv"));
                    rc = grew == null ? 0 : 1;
                    note = grew == null ? "no growth from step " + MemoryCheck.FIRST + " to step " + size.memorySteps() : grew;
                }
                case "nccl" -> {
                    note = NcclCheck.run(device());
                    rc = 0;
                }
                case "lenet" -> {
                    Path data = args.length > 2 ? Path.of(args[2]) : null;
                    double acc = LeNetCheck.run(device(), size, data, raw.resolve("lenet.tsv"));
                    rc = 0;
                    note = String.format(Locale.ROOT, "test accuracy %.4f", acc);
                }
                case "report" -> {
                    if (args.length < 3) throw new IllegalArgumentException("report needs RAW_DIR and BASE");
                    note = CheckReport.write(raw, Path.of(args[2]));
                    rc = 0;
                }
                default -> throw new IllegalArgumentException("unknown step '" + step + "'");
            }
        } catch (NoDevice e) {
            rc = NO_DEVICE;
            note = e.getMessage();
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            rc = 1;
            note = t.toString();
        }
        System.out.println("check: " + step + ": " + (rc == 0 ? "ok" : "failed") + ": " + note.replaceAll("\\s+", " "));
        System.out.flush();
        System.exit(rc);
    }

    static String deviceName() {
        return System.getProperty("jgrad.check.device", "cuda");
    }

    /** The check's device, or {@link NoDevice} saying why it cannot run here. */
    static Device device() {
        String name = deviceName();
        try {
            return Device.get(name);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new NoDevice((name.startsWith("cuda") ? "no CUDA device: " : "no device '" + name + "': ") + e.getMessage());
        }
    }

    /** Prints what jgrad sees, and whether -Djgrad.devices (the conformance filter) is honoured. */
    private static String devices() {
        System.out.println("providers:\n" + Device.report().indent(2).stripTrailing());
        String filter = System.getProperty("jgrad.devices");
        List<String> all = Device.all().stream().map(Device::name).toList();
        System.out.println("Device.all() with -Djgrad.devices=" + filter + ": " + all);
        String filterNote = "";
        if (filter != null) {
            List<String> allowed = List.of(filter.split(","));
            boolean honoured = all.stream().allMatch(n -> allowed.stream().anyMatch(a -> n.equals(a.strip()) || n.startsWith(a.strip() + "-")
                    || n.startsWith(a.strip() + " (")));
            filterNote = honoured ? "" : "; -Djgrad.devices is not honoured by this build (conformance runs on " + all + ")";
            System.out.println("jgrad.devices filter: " + (honoured ? "honoured" : "NOT honoured"));
        }
        Device d = device();
        String what = KernelCheck.describe(d);
        System.out.println("check device: " + what);
        if (d.backend() instanceof CudaBackend c && d.name().startsWith("cuda"))
            System.out.printf(Locale.ROOT, "allocator: %,d bytes in use, %,d reserved%n", c.bytesInUse(), c.bytesReserved());
        return what + filterNote;
    }
}
