package dev.jgrad.bench.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Every engine on every {@link Workload}, one JMH trial per pair, all in one run of
 * {@link BenchMain}. Before timing, each trial checks that the engine computes what jgrad's
 * vectorized CPU kernels compute on the same inputs (which the conformance suite holds to a float64
 * reference), so no row measures an engine doing something else.
 *
 * <p>Average time per call; the report turns it into GFLOP/s or GB/s with {@link Workload#workPerCall()}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss8m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CompareBench {
    @Param({"jgrad-vectorized"})
    public String engine;

    @Param({"sgemm1024"})
    public String workload;

    private Engine running;
    private Engine.Op op;

    /** The thread count every engine is given: {@code -Djgrad.bench.threads}, else every core. */
    public static int threads() {
        return Integer.getInteger("jgrad.bench.threads", Runtime.getRuntime().availableProcessors());
    }

    /** A new, not yet started engine by its report name. */
    public static Engine create(String name) {
        int threads = threads();
        return switch (name) {
            case "machine" -> new Ceilings(threads);
            case "jgrad-looped" -> new JgradEngine("cpu-looped");
            case "jgrad-vectorized" -> new JgradEngine("cpu-vectorized");
            case "jgrad-cuda" -> new JgradEngine("cuda");
            case "jgrad-cublas" -> new JgradEngine("cuda", "cublas");
            case "pytorch" -> peer("dev.jgrad.bench.peers.PyTorchEngine", threads);
            case "dl4j" -> peer("dev.jgrad.bench.peers.Dl4jEngine", threads);
            default -> throw new IllegalArgumentException("unknown engine '" + name
                    + "'; choose one of " + BenchMain.ENGINES);
        };
    }

    private static Engine peer(String className, int threads) {
        try {
            return (Engine) Class.forName(className).getConstructor(int.class).newInstance(threads);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new UnsupportedOperationException(className + " is not on the class path: build with -Ppeers (./jgrad bench does)");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + className, e);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        Workload w = Workload.byId(workload);
        running = create(engine);
        String why = running.unsupported(w);
        if (why != null) throw new UnsupportedOperationException(engine + " does not run " + workload + ": " + why);
        running.start();
        report(engine + ".txt", running.describe());
        try {
            op = Agreement.prepareChecked(running, w);
        } catch (RuntimeException e) {
            report(engine + "-" + workload + ".failed", String.valueOf(e.getMessage()));
            throw e;
        }
    }

    /** Leaves a note for {@link BenchMain} (which passes -Djgrad.bench.describe=DIR): an engine's description, a trial's failure. */
    private static void report(String file, String text) {
        String dir = System.getProperty("jgrad.bench.describe");
        if (dir == null) return;
        try {
            Files.writeString(Path.of(dir, file), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Benchmark
    public Object call() {
        return op.run();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        op.close();
        running.close();
    }
}
