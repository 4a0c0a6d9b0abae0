package dev.jgrad.bench.compare;

import dev.jgrad.engine.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./jgrad bench [--quick|--full] [--engines a,b] [--workloads x,y] [--out DIR]}: runs
 * {@link CompareBench} for every engine on this machine, one engine after the other in one run, and
 * writes {@code <out>/<machine>-<date>.md} (tables), {@code .json} (JMH's raw results) and
 * {@code .png} (charts) through {@link BenchReport}.
 *
 * <p>The quick mode (short iterations, one size of each workload family, no epoch, no looped SGEMM at
 * n = 1024) finishes in under five minutes on a 2-core machine; the full mode uses JMH's longer
 * defaults and runs everything (about 30 minutes there, 7 of them the looped SGEMM at n = 2048).
 */
public final class BenchMain {
    /** Engines in report order; those this machine lacks are left out with a reason. */
    static final List<String> ENGINES = List.of("machine", "jgrad-looped", "jgrad-vectorized", "jgrad-cuda", "jgrad-cublas",
            "pytorch", "dl4j");

    private BenchMain() {}

    public static void main(String[] args) throws IOException, RunnerException {
        boolean quick = true;
        List<String> engines = new ArrayList<>(ENGINES);
        List<Workload> workloads = new ArrayList<>(Arrays.asList(Workload.values()));
        Path out = Path.of("bench/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--full" -> quick = false;
                case "--engines" -> engines = List.of(args[++i].split(","));
                case "--workloads" -> workloads = Arrays.stream(args[++i].split(",")).map(Workload::byId).toList();
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: bench [--quick|--full] [--engines a,b] [--workloads x,y] [--out DIR]");
                    System.exit(2);
                }
            }
        }
        Files.createDirectories(out);
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
