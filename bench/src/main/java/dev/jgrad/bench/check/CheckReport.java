package dev.jgrad.bench.check;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSerializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns the raw files of one first-GPU check (RAW: steps.tsv and info.tsv from run-gpu.sh,
 * device.txt, kernels.tsv, torch.tsv, memory.tsv, lenet.tsv, conformance.txt) into BASE.md and
 * BASE.json, in the manner of bench/results/: the machine and the bundle first, then one section
 * per step. Throughput is the work of one call over its median time; each kernel's row is set
 * against the ceiling measured in the same process (the copy of the same bytes, cuBLAS SGEMM).
 * A file that is missing makes its section say so; nothing is estimated.
 */
final class CheckReport {
    /** Pretty-printed, nulls kept; a value that is not finite (no time, no ratio) is written as null. */
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
            .registerTypeAdapter(Double.class, (JsonSerializer<Double>) (d, type, context) ->
                    Double.isFinite(d) ? new JsonPrimitive(d) : JsonNull.INSTANCE)
            .create();

    private CheckReport() {}

    static final List<String> OPS = List.of("sgemm", "adam", "softmax", "batchNorm", "lenetStep");

    static String write(Path raw, Path base) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        StringBuilder md = new StringBuilder();
        Map<String, String> info = keyValues(raw.resolve("info.tsv"));
        String gpu = info.getOrDefault("gpu", "no GPU");
        json.put("kind", "jgrad-first-gpu-check");
        json.put("info", info);
        md.append("# jgrad first-GPU check: ").append(gpu).append(", ").append(info.getOrDefault("date", "?")).append("\n\n");
        md.append("Machine: ").append(info.getOrDefault("machine_line", "?")).append("  \n");
        md.append("GPU: ").append(gpu).append(", driver ").append(orNone(info.get("driver")))
          .append(", CUDA ").append(orNone(info.get("cuda"))).append("  \n");
        md.append("Bundle: jgrad ").append(info.getOrDefault("bundle_commit", "?")).append(", built ")
          .append(info.getOrDefault("bundle_built", "?")).append("; JDK ").append(info.getOrDefault("jdk", "?")).append("  \n");
        md.append("Check: size ").append(info.getOrDefault("size", "?")).append(", device ")
          .append(info.getOrDefault("check_device", "?")).append(", JVM flags `").append(info.getOrDefault("jvm_args", ""))
          .append("`, started ").append(info.getOrDefault("started", "?")).append("\n\n");

        steps(raw, md, json);
        inventory(info, md);
        kernels(raw, md, json);
        memory(raw, md, json);
        lenet(raw, md, json);
        conformance(raw, md, json);

        md.append("## Raw files\n\nIn `").append(raw.getFileName()).append("/`: ");
        try (Stream<Path> files = Files.list(raw)) {
            md.append(String.join(", ", files.map(p -> "`" + p.getFileName() + (Files.isDirectory(p) ? "/" : "") + "`")
                    .sorted().toList()));
        }
        md.append(".\n");
        Path mdFile = Path.of(base + ".md"), jsonFile = Path.of(base + ".json");
        Files.writeString(mdFile, md);
        Files.writeString(jsonFile, GSON.toJson(json) + "\n");
        return "wrote " + mdFile + " and " + jsonFile;
    }

    // ---------------------------------------------------------------- sections

    private static void steps(Path raw, StringBuilder md, Map<String, Object> json) throws IOException {
        Tsv steps = Tsv.read(raw.resolve("steps.tsv"));
        md.append("## Steps\n\n");
        if (steps == null) {
            md.append("steps.tsv is missing.\n\n");
            return;
        }
        md.append("| step | status | wall (s) | budget (s) | note |\n|---|---|---:|---:|---|\n");
        for (Map<String, String> s : steps.rows())
            md.append("| ").append(s.get("step")).append(" | ").append(s.get("status")).append(" | ").append(s.get("seconds"))
              .append(" | ").append(s.get("budget")).append(" | ").append(cell(s.get("note"))).append(" |\n");
        md.append('\n');
        json.put("steps", steps.rows());
    }

    private static void inventory(Map<String, String> info, StringBuilder md) {
        md.append("## Device inventory\n\n");
        for (String[] k : new String[][] {{"gpu_csv", "nvidia-smi"}, {"cublas_ldconfig", "cuBLAS in ldconfig"},
                {"cublas_files", "libcublas files"}, {"java_on_path", "java on PATH"}, {"torch", "PyTorch"}}) {
            md.append("- ").append(k[1]).append(": ").append(cell(info.containsKey(k[0]) ? orNone(info.get(k[0])) : "not recorded"))
              .append('\n');
        }
        md.append("\nThe whole inventory (nvidia-smi, ldconfig, find, python) is in `device.txt`.\n\n");
    }

    private static void kernels(Path raw, StringBuilder md, Map<String, Object> json) throws IOException {
        Tsv jgrad = Tsv.read(raw.resolve("kernels.tsv")), torch = Tsv.read(raw.resolve("torch.tsv"));
        md.append("## Kernels\n\n");
        if (jgrad == null && torch == null) {
            md.append("Neither kernels.tsv nor torch.tsv was written (see the steps above).\n\n");
            return;
        }
        md.append("jgrad: ").append(jgrad == null ? "not run" : jgrad.meta().getOrDefault("device", "?"))
          .append("  \nPyTorch: ").append(torch == null ? "not run" : torch.meta().getOrDefault("device", "?"))
          .append("\n\nMedian of the repetitions after warm-up; each repetition waits for the device, makes a few calls "
                  + "back to back and waits again. Throughput counts the bytes an op must read and write at least "
                  + "(or 2n³ flops, or images for the LeNet step); `copy` moves the same bytes device to device. % of copy and % of cuBLAS compare "
                  + "with the ceiling measured by the same engine in the same process (jgrad: cuMemcpyDtoDAsync and "
                  + "JCublas, or `torch.matmul` where JCublas does not load; PyTorch: `copy_` and `torch.matmul` with TF32 "
                  + "off). jgrad ÷ PyTorch > 1 means jgrad is faster.\n\n");
        md.append("| op | shape | engine | median (µs) | min–max (µs) | throughput | % of copy | % of cuBLAS | jgrad ÷ PyTorch | note |\n")
          .append("|---|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        List<Map<String, String>> all = new ArrayList<>();
        if (jgrad != null) all.addAll(jgrad.rows());
        if (torch != null) all.addAll(torch.rows());
        List<Object> out = new ArrayList<>();
        for (String op : OPS) {
            for (Map<String, String> r : all) {
                if (!op.equals(r.get("op"))) continue;
                String engine = r.get("engine");
                boolean isTorch = engine.startsWith("torch");
                double rate = rate(r);
                Double pctCopy = null, pctCublas = null, vsTorch = null;
                String cublasFrom = "";
                if (!engine.endsWith("copy") && !op.equals("sgemm")) {
                    Map<String, String> copy = find(all, op, isTorch ? "torch-copy" : "copy");
                    if (copy != null) pctCopy = 100 * rate / rate(copy);
                }
                if (op.equals("sgemm") && engine.equals("jgrad")) {
                    Map<String, String> cb = find(all, op, "cublas");
                    if (cb == null || Double.isNaN(rate(cb))) {
                        cb = find(all, op, "torch");
                        cublasFrom = " (of torch.matmul)";
                    }
                    if (cb != null) pctCublas = 100 * rate / rate(cb);
                }
                if (engine.equals("jgrad") || engine.equals("copy")) {
                    Map<String, String> t = find(all, op, engine.equals("jgrad") ? "torch" : "torch-copy");
                    if (t != null) vsTorch = rate / rate(t);
                }
                boolean ok = "ok".equals(r.get("status"));
                String unit = "flops".equals(r.get("unit")) ? "GFLOP/s" : "images".equals(r.get("unit")) ? "images/s" : "GB/s";
                md.append("| ").append(op).append(" | ").append(r.get("shape")).append(" | ").append(engine).append(" | ")
                  .append(ok ? fmt(Tsv.number(r, "median_us")) : r.get("status")).append(" | ")
                  .append(ok ? fmt(Tsv.number(r, "min_us")) + "–" + fmt(Tsv.number(r, "max_us")) : "").append(" | ")
                  .append(ok ? fmt(rate) + " " + unit : "").append(" | ")
                  .append(pct(pctCopy)).append(" | ").append(pct(pctCublas)).append(pctCublas == null ? "" : cublasFrom).append(" | ")
                  .append(vsTorch == null || !Double.isFinite(vsTorch) ? "" : String.format(Locale.ROOT, "%.2fx", vsTorch))
                  .append(" | ").append(cell(r.get("note"))).append(" |\n");
                Map<String, Object> j = new LinkedHashMap<>(r);
                j.remove("samples_us");
                j.put("samples_us", r.get("samples_us") == null || r.get("samples_us").isBlank() ? List.of()
                        : Stream.of(r.get("samples_us").split(",")).map(Double::parseDouble).toList());
                j.put("throughput", ok ? rate : null);
                j.put("throughput_unit", unit);
                j.put("percent_of_copy", pctCopy);
                j.put("percent_of_cublas", pctCublas);
                if (pctCublas != null) j.put("cublas_from", cublasFrom.isEmpty() ? "jcublas" : "torch.matmul");
                j.put("jgrad_over_torch", vsTorch);
                out.add(j);
            }
        }
        md.append('\n');
        json.put("kernels", out);
    }

    private static void memory(Path raw, StringBuilder md, Map<String, Object> json) throws IOException {
        Tsv mem = Tsv.read(raw.resolve("memory.tsv"));
        md.append("## Device memory over training steps\n\n");
        if (mem == null) {
            md.append("memory.tsv was not written (see the steps above).\n\n");
            return;
        }
        md.append(mem.meta().getOrDefault("model", "")).append(" on ").append(mem.meta().getOrDefault("device", "?"))
          .append(". Verdict: **").append(mem.meta().getOrDefault("verdict", "?")).append("**\n\n");
        md.append("| step | bytes in use | bytes reserved | loss | seconds |\n|---:|---:|---:|---:|---:|\n");
        for (Map<String, String> r : mem.rows())
            md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s |%n", r.get("step"), (long) Tsv.number(r, "bytes_in_use"),
                    Tsv.number(r, "bytes_reserved") < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", (long) Tsv.number(r, "bytes_reserved")),
                    r.get("loss"), r.get("seconds")));
        md.append('\n');
        Map<String, Object> j = new LinkedHashMap<>(mem.meta());
        j.put("samples", mem.rows());
        json.put("memory", j);
    }

    private static void lenet(Path raw, StringBuilder md, Map<String, Object> json) throws IOException {
        Tsv t = Tsv.read(raw.resolve("lenet.tsv"));
        md.append("## LeNet on Fashion-MNIST\n\n");
        if (t == null) {
            md.append("lenet.tsv was not written (see the steps above).\n\n");
            return;
        }
        Map<String, String> m = t.meta();
        md.append(m.getOrDefault("setup", "")).append(", on ").append(m.getOrDefault("device", "?")).append(": ")
          .append(m.get("train_images")).append(" training images, test accuracy **").append(m.get("test_accuracy"))
          .append("** (loss ").append(m.get("test_loss")).append(") on ").append(m.get("test_images"))
          .append(" images. Loading the data took ").append(m.get("load_seconds")).append(" s, training ")
          .append(m.get("train_seconds")).append(" s, the test pass ").append(m.get("test_seconds")).append(" s.\n\n");
        md.append("| epoch | train loss | train accuracy | seconds | images/s |\n|---:|---:|---:|---:|---:|\n");
        for (Map<String, String> r : t.rows())
            md.append("| ").append(r.get("epoch")).append(" | ").append(r.get("train_loss")).append(" | ")
              .append(r.get("train_accuracy")).append(" | ").append(r.get("seconds")).append(" | ")
              .append(r.get("images_per_second")).append(" |\n");
        md.append('\n');
        Map<String, Object> j = new LinkedHashMap<>(m);
        j.put("epochs", t.rows());
        json.put("lenet", j);
    }

    private static final Pattern COUNT = Pattern.compile("\\[\\s*(\\d+) (tests|containers) (\\w+)\\s*]");
    private static final Pattern FAILED_CASE = Pattern.compile("<testcase name=\"([^\"]*)\"[^>]*>\\s*<(failure|error)");

    private static void conformance(Path raw, StringBuilder md, Map<String, Object> json) throws IOException {
        Path txt = raw.resolve("conformance.txt");
        md.append("## Conformance on the check's device\n\n");
        if (!Files.isRegularFile(txt)) {
            md.append("Not run (see the steps above).\n\n");
            return;
        }
        Map<String, Object> counts = new LinkedHashMap<>();
        Matcher m = COUNT.matcher(Files.readString(txt));
        while (m.find()) counts.put(m.group(2) + " " + m.group(3), Integer.parseInt(m.group(1)));
        List<String> failed = new ArrayList<>();
        Path reports = raw.resolve("junit");
        if (Files.isDirectory(reports)) {
            try (Stream<Path> xml = Files.list(reports)) {
                for (Path p : xml.filter(p -> p.toString().endsWith(".xml")).toList()) {
                    Matcher f = FAILED_CASE.matcher(Files.readString(p));
                    while (f.find()) failed.add(f.group(1).replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"));
                }
            }
        }
        if (counts.isEmpty()) md.append("The JUnit console printed no summary (see `conformance.txt`).\n\n");
        else {
            md.append("JUnit console over `dev.jgrad.tests.conformance`: ");
            List<String> parts = new ArrayList<>();
            counts.forEach((k, v) -> { if (k.startsWith("tests")) parts.add(v + " " + k); });
            md.append(String.join(", ", parts)).append(".\n\n");
        }
        if (!failed.isEmpty()) {
            md.append("Failed (").append(failed.size()).append("):\n\n");
            for (String f : failed.subList(0, Math.min(40, failed.size()))) md.append("- ").append(cell(f)).append('\n');
            if (failed.size() > 40) md.append("- … and ").append(failed.size() - 40).append(" more (see `junit/`)\n");
            md.append('\n');
        }
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("counts", counts);
        j.put("failed", failed);
        json.put("conformance", j);
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, String> keyValues(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) return out;
        for (String line : Files.readAllLines(file)) {
            int tab = line.indexOf('\t');
            if (tab > 0) out.put(line.substring(0, tab), line.substring(tab + 1));
        }
        return out;
    }

    private static Map<String, String> find(List<Map<String, String>> rows, String op, String engine) {
        for (Map<String, String> r : rows) if (op.equals(r.get("op")) && engine.equals(r.get("engine"))) return r;
        return null;
    }

    /** GFLOP/s, GB/s or images/s at the median, NaN when the row has no time. */
    private static double rate(Map<String, String> r) {
        if (!"ok".equals(r.get("status"))) return Double.NaN;
        double scale = "images".equals(r.get("unit")) ? 1 : 1e9;
        return Tsv.number(r, "work") / (Tsv.number(r, "median_us") * 1e-6) / scale;
    }

    private static String orNone(String s) {
        return s == null || s.isBlank() ? "none" : s;
    }

    private static String pct(Double p) {
        return p == null || !Double.isFinite(p) ? "" : String.format(Locale.ROOT, "%.0f%%", p);
    }

    private static String fmt(double v) {
        if (!Double.isFinite(v)) return "";
        if (v >= 100) return String.format(Locale.ROOT, "%,.0f", v);
        if (v >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
