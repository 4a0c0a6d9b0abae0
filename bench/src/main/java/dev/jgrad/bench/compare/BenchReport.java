package dev.jgrad.bench.compare;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one {@link BenchMain} run into Markdown tables (throughput per engine, vectorized ÷ looped,
 * jgrad ÷ the best peer, % of the machine's measured ceiling), the targets with their
 * measured values, and two PNG bar charts. Every ratio compares numbers from the same run.
 */
final class BenchReport {
    /** The jgrad column the peer ratios and ceilings use: the CPU fast path, like the peers' CPU builds. */
    static final String JGRAD = "jgrad-vectorized";
    static final List<String> PEERS = List.of("pytorch", "dl4j");
    /** engine -> workload -> microseconds per call. */
    private final Map<String, Map<Workload, Double>> micros = new LinkedHashMap<>();
    /** engine -> workload -> half-width of JMH's 99.9% confidence interval, in microseconds. */
    private final Map<String, Map<Workload, Double>> errors;
    private final List<Workload> requested;
    private final Map<String, String> skipped, described;
    private final boolean quick;
    private final double minutes;
    private final List<String> notes = new ArrayList<>();

    /**
     * @param micros    engine -> workload -> measured microseconds per call
     * @param requested the workloads the run was asked for, in report order
     * @param skipped   "engine" or "engine/workloadId" -> why it was not run
     * @param described engine -> its {@link Engine#describe()}
     */
    BenchReport(Map<String, Map<Workload, Double>> micros, List<Workload> requested, Map<String, String> skipped,
                Map<String, String> described, boolean quick, double minutes) {
        this(micros, Map.of(), requested, skipped, described, quick, minutes);
    }

    /** @param errors engine -> workload -> JMH's 99.9% confidence half-width of {@code micros}' entry (absent: unknown) */
    BenchReport(Map<String, Map<Workload, Double>> micros, Map<String, Map<Workload, Double>> errors,
                List<Workload> requested, Map<String, String> skipped,
                Map<String, String> described, boolean quick, double minutes) {
        this.errors = errors;
        this.requested = requested;
        for (String e : BenchMain.ENGINES) this.micros.put(e, new LinkedHashMap<>());
        micros.forEach((e, m) -> this.micros.computeIfAbsent(e, k -> new LinkedHashMap<>()).putAll(m));
        this.skipped = skipped;
        this.described = described;
        this.quick = quick;
        this.minutes = minutes;
    }

    /** Work per second of one engine on one workload (flops, bytes, or calls), NaN when not measured. */
    double rate(String engine, Workload w) {
        Double us = micros.getOrDefault(engine, Map.of()).get(w);
        return us == null ? Double.NaN : w.workPerCall() / (us * 1e-6);
    }

    /** Engines that have at least one measured workload, in report order, the machine excluded. */
    List<String> columns() {
        return micros.entrySet().stream().filter(e -> !e.getKey().equals("machine") && !e.getValue().isEmpty())
                .map(Map.Entry::getKey).toList();
    }

    double ceiling(Workload.Unit unit) {
        return switch (unit) {
            case BYTES -> Math.max(rate("machine", Workload.COPY_256MB), rate("machine", Workload.UPDATE_256MB));
            case FLOPS -> {
                double peak = rate("machine", Workload.FMA_PEAK);
                for (String e : columns()) for (Workload w : Workload.values()) {
                    double r = rate(e, w);
                    if (w.unit == Workload.Unit.FLOPS && !e.equals("jgrad-cuda") && !Double.isNaN(r)) peak = Math.max(peak, r);
                }
                yield peak;
            }
            case STEPS -> Double.NaN;
        };
    }

    /** Best peer's rate on w and its name, or null when no peer measured it. */
    Map.Entry<String, Double> bestPeer(Workload w) {
        Map.Entry<String, Double> best = null;
        for (String p : PEERS) {
            double r = rate(p, w);
            if (!Double.isNaN(r) && (best == null || r > best.getValue())) best = Map.entry(p, r);
        }
        return best;
    }

    void write(Path dir, String base) throws IOException {
        Files.writeString(dir.resolve(base + ".md"), markdown(base));
        // the GPU bundle's runtime leaves java.desktop out to stay small: it gets the tables only
        if (ModuleLayer.boot().findModule("java.desktop").isEmpty()) {
            System.out.println("no java.desktop in this runtime: the report's charts were not drawn");
            return;
        }
        BenchCharts charts = new BenchCharts(this);
        charts.engines(dir.resolve(base + "-engines.png"));
        if (columns().contains("jgrad-looped")) charts.vectorization(dir.resolve(base + "-vectorization.png"));
    }

    /** The report's Markdown; {@code base} names the chart files it links. */
    String markdown(String base) {
        notes.clear();
        StringBuilder md = new StringBuilder();
        md.append("# jgrad against its peers: ").append(MachineInfo.cpu()).append(", ").append(LocalDate.now()).append("\n\n");
        md.append("Machine: ").append(MachineInfo.describe()).append(".  \n");
        md.append(String.format(Locale.ROOT, "Mode: %s (%.1f minutes), JMH average time per call, one fork per engine and workload, "
                + "every engine given %d threads.%s%n%n", quick ? "quick" : "full", minutes, CompareBench.threads(),
                quick ? " The quick mode warms up for 0.6 s a trial: the JIT may not have finished compiling every kernel "
                        + "(jgrad's Vector API kernels take longest), so quote the full mode's numbers." : ""));
        md.append("Environment:");
        for (String v : List.of("OMP_NUM_THREADS", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"))
            md.append(' ').append(v).append('=').append(System.getenv().getOrDefault(v, "(unset)"));
        md.append(" (the glibc settings keep freed memory for reuse, as a caching allocator would; jgrad has its own).\n\n");
        md.append("Engines:\n\n");
        for (var e : described.entrySet()) md.append("- **").append(e.getKey()).append("**: ").append(e.getValue()).append('\n');
        for (var e : skipped.entrySet()) if (!e.getKey().contains("/")) md.append("- **").append(e.getKey()).append("**: not run: ").append(e.getValue()).append('\n');
        md.append("\nBefore timing, each trial checks that its engine's output on the same inputs matches jgrad's vectorized kernels "
                + "(relative L2 error under 1e-3; those are held to float64 references by the conformance suite), so every row "
                + "measures the same computation. Throughput is the work of one call (flops, or the bytes it must read and write) "
                + "over its time; ratios are speeds, > 1 means jgrad is faster.\n\n");
        md.append(String.format(Locale.ROOT, "Ceilings measured in this run: copy %s, in-place update %s, FMA loop %s (%s). "
                + "GB/s rows are compared with the larger of the two bandwidths (a copy also pays write-allocate reads that it "
                + "does not count; an in-place update does not), GFLOP/s rows with the larger of the FMA loop and the fastest "
                + "CPU SGEMM in the run.%n%n",
                fmt(rate("machine", Workload.COPY_256MB), Workload.Unit.BYTES),
                fmt(rate("machine", Workload.UPDATE_256MB), Workload.Unit.BYTES),
                fmt(rate("machine", Workload.FMA_PEAK), Workload.Unit.FLOPS), described.getOrDefault("machine", "")));
        table(md);
        targets(md);
        behind(md);
        md.append("\n![jgrad and its peers, relative speed](").append(base).append("-engines.png)\n");
        if (columns().contains("jgrad-looped"))
            md.append("\n![vectorized over looped](").append(base).append("-vectorization.png)\n");
        return md.toString();
    }

    private void table(StringBuilder md) {
        List<String> cols = columns();
        md.append("| workload | unit |");
        for (String c : cols) md.append(' ').append(c).append(" |");
        md.append(" vectorized ÷ looped | jgrad ÷ best peer | % of ceiling |\n|---|---|");
        md.append("---:|".repeat(cols.size() + 3)).append('\n');
        for (Workload w : Workload.engineWorkloads()) {
            if (!requested.contains(w)) continue;
            boolean any = cols.stream().anyMatch(c -> !Double.isNaN(rate(c, w)));
            if (!any && cols.stream().allMatch(c -> skipped.containsKey(c + "/" + w.id()) && skipped.get(c + "/" + w.id()).startsWith("full")))
                continue;
            md.append("| ").append(w.id()).append(" | ").append(unitName(w.unit)).append(" |");
            for (String c : cols) {
                double r = rate(c, w);
                md.append(' ').append(Double.isNaN(r) ? missingCell(c, w) : fmtValue(r, w.unit)).append(" |");
            }
            md.append(' ').append(ratio(rate(JGRAD, w) / rate("jgrad-looped", w))).append(" |");
            var best = bestPeer(w);
            md.append(' ').append(best == null ? "" : ratio(rate(JGRAD, w) / best.getValue()) + " (" + best.getKey() + ")").append(" |");
            double ceil = ceiling(w.unit), mine = rate(JGRAD, w);
            md.append(' ').append(Double.isNaN(ceil) || Double.isNaN(mine) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * mine / ceil)).append(" |\n");
        }
        if (!notes.isEmpty()) {
            md.append('\n');
            for (int i = 0; i < notes.size(); i++) md.append("(").append(i + 1).append(") ").append(notes.get(i)).append("  \n");
        }
        md.append('\n');
    }

    private String missingCell(String engine, Workload w) {
        String why = skipped.get(engine + "/" + w.id());
        String note = why == null ? engine + " on " + w.id() + ": the trial failed (its error is in the run's log)" : engine + ": " + why;
        if (why != null && why.startsWith("full mode")) note = engine + ": " + why;
        int i = notes.indexOf(note);
        if (i < 0) { notes.add(note); i = notes.size() - 1; }
        return "n/a (" + (i + 1) + ")";
    }

    private void targets(StringBuilder md) {
        md.append("## The targets of issue 5\n\n| target | measured | met |\n|---|---|---|\n");
        double minAll = Double.POSITIVE_INFINITY, minHeavy = Double.POSITIVE_INFINITY;
        String minAllAt = "", minHeavyAt = "";
        for (Workload w : Workload.engineWorkloads()) {
            double s = rate(JGRAD, w) / rate("jgrad-looped", w);
            if (Double.isNaN(s)) continue;
            if (s < minAll) { minAll = s; minAllAt = w.id(); }
            if ((w.kind == Workload.Kind.MATMUL || w.kind == Workload.Kind.CONV) && s < minHeavy) { minHeavy = s; minHeavyAt = w.id(); }
        }
        target(md, "vectorized >= 10x looped on matmul and conv2d", minHeavy, 10, "lowest " + ratio(minHeavy) + " (" + minHeavyAt + ")");
        neverSlower(md, minAll, minAllAt);
        var best = bestPeer(Workload.SGEMM_1024);
        double sgemm = best == null ? Double.NaN : rate(JGRAD, Workload.SGEMM_1024) / best.getValue();
        target(md, "SGEMM n = 1024 >= 0.7x the best peer", sgemm, 0.7, ratio(sgemm) + (best == null ? "" : " of " + best.getKey()));
        for (Workload w : List.of(Workload.CONV_LENET1, Workload.CONV_LENET2)) {
            double r = rate(JGRAD, w) / rate("pytorch", w);
            target(md, w.id() + " >= 0.5x PyTorch", r, 0.5, ratio(r));
        }
        double sm = rate(JGRAD, Workload.SOFTMAX_4096X1024) / rate("pytorch", Workload.SOFTMAX_4096X1024);
        target(md, "softmax (4096, 1024) no slower than PyTorch", sm, 1, ratio(sm));
        double tJ = 1e3 / rate(JGRAD, Workload.LENET_STEP_256), tP = 1e3 / rate("pytorch", Workload.LENET_STEP_256);
        md.append(String.format(Locale.ROOT, "| LeNet step (batch 256) <= 1.5x PyTorch's time | %.1f ms vs %.1f ms: %.2fx its time | %s |%n",
                tJ, tP, tJ / tP, Double.isNaN(tJ / tP) ? "not measured" : tJ / tP <= 1.5 ? "yes" : "**no**"));
        double adam = rate(JGRAD, Workload.ADAM_10M) / ceiling(Workload.Unit.BYTES);
        target(md, "Adam over 10M parameters >= 0.7x copy bandwidth (28 B/param)", adam, 0.7,
                String.format(Locale.ROOT, "%s of %s", fmt(rate(JGRAD, Workload.ADAM_10M), Workload.Unit.BYTES),
                        fmt(ceiling(Workload.Unit.BYTES), Workload.Unit.BYTES)) + ": " + ratio(adam));
        md.append('\n');
    }

    private double micros(String engine, Workload w) {
        return micros.getOrDefault(engine, Map.of()).getOrDefault(w, Double.NaN);
    }

    /** JMH's error of one measurement; 0 where it is unknown (a single iteration), so the check stays strict. */
    private double error(String engine, Workload w) {
        double e = errors.getOrDefault(engine, Map.of()).getOrDefault(w, 0.0);
        return Double.isNaN(e) ? 0 : e;
    }

    /**
     * "Never slower": vectorized counts as slower on a workload only when its time exceeds
     * looped's by more than the two measurements' 99.9% confidence half-widths together. Two
     * paths that run the same code (the element-by-element loop calls no kernel) land on either
     * side of 1.00x by chance.
     */
    private void neverSlower(StringBuilder md, double minAll, String minAllAt) {
        Workload worst = null;
        double worstGap = 0;
        for (Workload w : Workload.engineWorkloads()) {
            double gap = micros(JGRAD, w) - micros("jgrad-looped", w) - error(JGRAD, w) - error("jgrad-looped", w);
            if (gap > 0 && (worst == null || gap / micros("jgrad-looped", w) > worstGap)) {
                worst = w;
                worstGap = gap / micros("jgrad-looped", w);
            }
        }
        String what = "vectorized never slower than looped (beyond the measurement error)";
        if (Double.isInfinite(minAll)) {
            target(md, what, Double.NaN, 1, "");
            return;
        }
        Workload at = worst != null ? worst : Workload.byId(minAllAt);
        String detail = String.format(Locale.ROOT, "%s (%s: %s vs %s µs%s)", ratio(rate(JGRAD, at) / rate("jgrad-looped", at)),
                at.id(), withError(JGRAD, at), withError("jgrad-looped", at),
                worst != null ? ", slower by more than the error" : rate(JGRAD, at) < rate("jgrad-looped", at) ? ", within the error" : "");
        md.append("| ").append(what).append(" | ").append(worst != null ? "slower: " : "lowest ").append(detail)
          .append(" | ").append(worst != null ? "**no**" : "yes").append(" |\n");
    }

    private String withError(String engine, Workload w) {
        double e = error(engine, w);
        return significant(micros(engine, w), 4) + (e > 0 ? " ± " + significant(e, 2) : "");
    }

    private static String significant(double v, int digits) {
        return new BigDecimal(v).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
    }

    private static void target(StringBuilder md, String what, double value, double goal, String measured) {
        md.append("| ").append(what).append(" | ").append(Double.isNaN(value) ? "not measured" : measured).append(" | ")
          .append(Double.isNaN(value) ? "not measured" : value >= goal ? "yes" : "**no**").append(" |\n");
    }

    private void behind(StringBuilder md) {
        List<String> lines = new ArrayList<>();
        for (Workload w : Workload.engineWorkloads()) {
            var best = bestPeer(w);
            double r = best == null ? Double.NaN : rate(JGRAD, w) / best.getValue();
            if (r < 0.95)
                lines.add(String.format(Locale.ROOT, "- **%s**: jgrad-vectorized runs at %.2fx %s's speed (%s vs %s).",
                        w.id(), r, best.getKey(), fmtValue(rate(JGRAD, w), w.unit), fmtValue(best.getValue(), w.unit)));
        }
        md.append("## Where jgrad is behind\n\n");
        md.append(lines.isEmpty() ? "Nowhere in this run: jgrad-vectorized is within 5% of or ahead of the best peer on every row.\n"
                : String.join("\n", lines) + "\n");
    }

    private static String unitName(Workload.Unit u) {
        return switch (u) { case FLOPS -> "GFLOP/s"; case BYTES -> "GB/s"; case STEPS -> "ms per call"; };
    }

    private static String fmtValue(double rate, Workload.Unit u) {
        double v = u == Workload.Unit.STEPS ? 1e3 / rate : rate / 1e9;
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt(double rate, Workload.Unit u) {
        return fmtValue(rate, u) + " " + unitName(u);
    }

    static String ratio(double r) {
        return Double.isNaN(r) ? "" : r >= 10 ? String.format(Locale.ROOT, "%.0fx", r) : String.format(Locale.ROOT, "%.2fx", r);
    }
}
