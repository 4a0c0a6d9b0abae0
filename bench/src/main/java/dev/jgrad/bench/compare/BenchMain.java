package dev.jgrad.bench.compare;

import dev.jgrad.cli.Cli;
import dev.jgrad.cli.Version;
import dev.jgrad.engine.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code ./jgrad bench [--quick|--full] [--engines a,b] [--workloads x,y] [--out DIR]}: runs
 * {@link CompareBench} for every engine on this machine, one engine after the other in one run, and
 * writes {@code <out>/<machine>-<date>.md} (tables), {@code .json} (JMH's raw results) and
 * {@code .png} (charts) through {@link BenchReport}.
 *
 * <p>The quick mode (short iterations, one size of each workload family, no epoch, no looped SGEMM at
 * n = 1024) finishes in under five minutes on a 2-core machine; the full mode uses JMH's longer
 * defaults and runs everything (about 30 minutes there, 7 of them the looped SGEMM at n = 2048).
 * The options are picocli's, checked before anything runs (bad usage: exit code 2), with relative
 * paths resolved against the working directory as in every jgrad command ({@link Cli#configure}).
 */
@Command(name = "jgrad bench", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Run every engine (jgrad looped, vectorized, CUDA with its kernels and with cuBLAS, PyTorch, "
                + "Deeplearning4j) on the same workloads in one run; write the tables, JMH's JSON and the charts.",
        footer = {"", "'./jgrad bench jmh ARGS' runs JMH itself (KernelBench, VectorizationDemoBench, CudaBench, CompareBench)."})
public final class BenchMain implements Callable<Integer> {
    /** Engines in report order; those this machine lacks are left out with a reason. */
    static final List<String> ENGINES = List.of("machine", "jgrad-looped", "jgrad-vectorized", "jgrad-cuda", "jgrad-cublas",
            "pytorch", "dl4j");

    @Spec CommandSpec spec;

    @Option(names = "--quick", description = "short iterations, one size of each workload family, no epoch: "
            + "under 5 minutes on 2 cores (default: quick, unless --full)")
    boolean quickMode;
    @Option(names = "--full", description = "JMH's longer defaults and every workload: about 30 minutes on 2 cores (default: off)")
    boolean fullMode;
    @Option(names = "--engines", split = ",", paramLabel = "ENGINE", completionCandidates = EngineNames.class,
            converter = EngineName.class, description = "engines to run, comma-separated: ${COMPLETION-CANDIDATES} (default: all)")
    List<String> engineOption;
    @Option(names = "--workloads", split = ",", paramLabel = "WORKLOAD", completionCandidates = WorkloadIds.class,
            converter = WorkloadId.class, description = "workloads to run, comma-separated: ${COMPLETION-CANDIDATES} (default: all)")
    List<Workload> workloadOption;
    @Option(names = "--out", paramLabel = "DIR", description = "directory of the report, created if missing "
            + "(default: bench/results in the repository that -Djgrad.home names, as the launcher sets it, else in the working directory)")
    Path out;

    private final Path workingDirectory;

    /** The command in the process's working directory. */
    public BenchMain() {
        this(Path.of("").toAbsolutePath());
    }

    private BenchMain(Path workingDirectory) {
        this.workingDirectory = workingDirectory;
    }

    public static void main(String[] args) {
        System.exit(run(Path.of("").toAbsolutePath(), args));
    }

    /** Runs the bench command line with relative paths resolved against {@code workingDirectory}; returns the exit code. */
    public static int run(Path workingDirectory, String... args) {
        CommandLine cl = new CommandLine(new BenchMain(workingDirectory));
        Cli.configure(cl, workingDirectory);
        return cl.execute(args);
    }

    @Override
    public Integer call() throws IOException, RunnerException {
        if (quickMode && fullMode) throw new ParameterException(spec.commandLine(), "--quick and --full exclude each other");
        boolean quick = !fullMode;
        List<String> engines = engineOption != null ? engineOption : ENGINES;
        List<Workload> workloads = workloadOption != null ? workloadOption : Arrays.asList(Workload.values());
        String home = System.getProperty("jgrad.home");
        Path out = this.out != null ? this.out
                : (home != null ? workingDirectory.resolve(home) : workingDirectory).resolve("bench/results");
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--out: cannot create the directory " + out + ": " + e);
        }
        if (!Files.isWritable(out)) throw new ParameterException(spec.commandLine(), "--out: the directory " + out + " is not writable");
        String base = MachineInfo.slug() + "-" + LocalDate.now();
        Path describeDir = Files.createTempDirectory("jgrad-bench");

        Map<String, String> skipped = new LinkedHashMap<>(); // "engine/workload" or "engine" -> why
        List<RunResult> results = new ArrayList<>();
        StringBuilder rawJson = new StringBuilder();
        long t0 = System.nanoTime();
        for (String name : engines) {
            String missing = missing(name);
            if (missing != null) {
                skipped.put(name, missing);
                System.out.println("# " + name + ": not run: " + missing);
                continue;
            }
            Engine engine = CompareBench.create(name);
            List<String> ids = new ArrayList<>(), epoch = new ArrayList<>();
            for (Workload w : workloads) {
                if ((w.kind == Workload.Kind.CEILING) != name.equals("machine")) continue;
                String why = engine.unsupported(w);
                if (why == null && quick) why = quickSkip(name, w);
                if (why != null) skipped.put(name + "/" + w.id(), why);
                else (w == Workload.LENET_EPOCH ? epoch : ids).add(w.id());
            }
            for (List<String> group : List.of(ids, epoch)) {
                if (group.isEmpty()) continue;
                Path json = Files.createTempFile(describeDir, name, ".json");
                ChainedOptionsBuilder opts = new OptionsBuilder()
                        .include(CompareBench.class.getName() + ".call")
                        .param("engine", name)
                        .param("workload", group.toArray(String[]::new))
                        .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss8m",
                                "-Djgrad.bench.describe=" + describeDir,
                                "-Djgrad.bench.threads=" + CompareBench.threads(),
                                "-Djgrad.cpu.threads=" + CompareBench.threads())
                        .shouldFailOnError(false)
                        .resultFormat(ResultFormatType.JSON).result(json.toString());
                if (group == epoch) opts.warmupIterations(1).measurementIterations(2)
                        .warmupTime(TimeValue.milliseconds(1)).measurementTime(TimeValue.milliseconds(1));
                else if (quick) opts.warmupIterations(3).measurementIterations(2)
                        .warmupTime(TimeValue.milliseconds(200)).measurementTime(TimeValue.milliseconds(300));
                results.addAll(new Runner(opts.build()).run());
                String text = Files.readString(json).strip();
                if (text.length() > 2) rawJson.append(rawJson.isEmpty() ? "" : ",\n").append(text, 1, text.length() - 1);
            }
        }
        Map<String, String> described = new LinkedHashMap<>();
        for (String name : engines) {
            Path d = describeDir.resolve(name + ".txt");
            if (Files.exists(d)) described.put(name, Files.readString(d));
            for (Workload w : workloads) {
                Path failed = describeDir.resolve(name + "-" + w.id() + ".failed");
                if (Files.exists(failed)) skipped.put(name + "/" + w.id(), "failed: " + Files.readString(failed));
            }
        }
        Files.writeString(out.resolve(base + ".json"), "[\n" + rawJson + "\n]\n");
        double minutes = (System.nanoTime() - t0) / 6e10;
        Map<String, Map<Workload, Double>> micros = new LinkedHashMap<>(), errors = new LinkedHashMap<>();
        for (RunResult r : results) {
            String engine = r.getParams().getParam("engine");
            Workload w = Workload.byId(r.getParams().getParam("workload"));
            micros.computeIfAbsent(engine, k -> new LinkedHashMap<>()).put(w, r.getPrimaryResult().getScore());
            errors.computeIfAbsent(engine, k -> new LinkedHashMap<>()).put(w, r.getPrimaryResult().getScoreError());
        }
        BenchReport report = new BenchReport(micros, errors, workloads, skipped, described, quick, minutes);
        report.write(out, base);
        System.out.printf(Locale.ROOT, "%nwrote %s.md, .json and -*.png in %s (%.1f minutes)%n", base, out, minutes);
        return 0;
    }

    /** {@link #ENGINES}, for the help. */
    static final class EngineNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return ENGINES.iterator();
        }
    }

    /** An engine of {@link #ENGINES}, or bad usage naming them. */
    static final class EngineName implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!ENGINES.contains(value))
                throw new TypeConversionException("'" + value + "' is not one of " + String.join(", ", ENGINES));
            return value;
        }
    }

    /** The workloads' ids ({@link Workload#id()}), for the help. */
    static final class WorkloadIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Workload.values()).map(Workload::id).iterator();
        }
    }

    /** A workload by its id, or bad usage naming them all. */
    static final class WorkloadId implements ITypeConverter<Workload> {
        @Override
        public Workload convert(String value) {
            try {
                return Workload.byId(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Why an engine cannot run on this machine at all, or null. */
    private static String missing(String name) {
        if (name.startsWith("jgrad-cu") && Device.unavailable().containsKey("cuda"))
            return "no usable GPU: " + Device.unavailable().get("cuda");
        try {
            CompareBench.create(name);
            return null;
        } catch (UnsupportedOperationException e) {
            return e.getMessage();
        }
    }

    /** What the quick mode leaves out, beyond the full-only workloads. */
    private static String quickSkip(String engine, Workload w) {
        if (w.fullOnly) return "full mode only";
        if (engine.equals("jgrad-looped") && (w == Workload.SGEMM_1024 || w == Workload.SGEMM_2048))
            return "full mode only (one looped call takes seconds)";
        return null;
    }
}
