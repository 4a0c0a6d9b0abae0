package dev.jgrad.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Runs {@link CudaBench} and writes a Markdown table: each kernel's time, its throughput from the
 * work it does, and that throughput as a fraction of the ceiling measured in the same run (cuBLAS
 * SGEMM for matmuls, the device-to-device copy for memory-bound kernels).
 * Usage: {@code GpuReport OUT.md "device description"}.
 */
public final class GpuReport {
    private GpuReport() {}

    /** Work per call: flops (for GFLOP/s) or bytes (for GB/s), and which ceiling applies. */
    record Work(double amount, boolean flops, String ceiling) {}

    static final Map<String, Work> WORK = new LinkedHashMap<>();

    static {
        double gemm = 2.0 * Math.pow(CudaBench.GEMM, 3);
        WORK.put("copy256MB", new Work(2.0 * CudaBench.COPY * 4, false, null));
        WORK.put("sgemm4096Cublas", new Work(gemm, true, null));
        WORK.put("sgemm4096HandV3", new Work(gemm, true, "sgemm4096Cublas"));
        WORK.put("sgemm4096HandV2", new Work(gemm, true, "sgemm4096Cublas"));
        WORK.put("adam10M", new Work(28.0 * CudaBench.ADAM, false, "copy256MB"));
        WORK.put("softmax65536x1024", new Work(2.0 * CudaBench.SM_ROWS * CudaBench.SM_COLS * 4, false, "copy256MB"));
        WORK.put("batchNormForward256x64x56x56",
                new Work(2.0 * CudaBench.BN_N * CudaBench.BN_C * CudaBench.BN_HW * 4, false, "copy256MB"));
        WORK.put("conv2dLeNet1", new Work(2.0 * 256 * 6 * 28 * 28 * 25, true, "sgemm4096Cublas"));
        WORK.put("conv2dLeNet2", new Work(2.0 * 256 * 16 * 10 * 10 * 150, true, "sgemm4096Cublas"));
        WORK.put("emptyLaunch", new Work(0, false, null));
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "gpu-bench.md");
        String device = args.length > 1 ? args[1] : "unknown device";
        Options opts = new OptionsBuilder().include(CudaBench.class.getSimpleName()).shouldFailOnError(false).build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, Double> micros = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            micros.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
        }
        write(out, device, micros);
    }

    static void write(Path out, String device, Map<String, Double> micros) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# jgrad CUDA kernels on ").append(device).append(", ").append(LocalDate.now()).append("\n\n");
        md.append("JMH (CudaBench), average time per call including one launch and a synchronize. ")
          .append("Ceilings are measured in the same run.\n\n");
        md.append("| benchmark | time (us) | throughput | ceiling | % of ceiling |\n|---|---:|---:|---|---:|\n");
        for (var e : WORK.entrySet()) {
            Double us = micros.get(e.getKey());
            if (us == null) {
                md.append("| ").append(e.getKey()).append(" | failed | | | |\n");
                continue;
            }
            Work w = e.getValue();
            double rate = w.amount() / (us * 1e-6) / 1e9;
            String unit = w.flops() ? "GFLOP/s" : "GB/s";
            String tput = w.amount() == 0 ? "" : String.format(Locale.ROOT, "%.1f %s", rate, unit);
            String ceiling = "", pct = "";
            if (w.ceiling() != null && micros.containsKey(w.ceiling())) {
                Work cw = WORK.get(w.ceiling());
                double cRate = cw.amount() / (micros.get(w.ceiling()) * 1e-6) / 1e9;
                ceiling = String.format(Locale.ROOT, "%s %.1f %s", w.ceiling(), cRate, cw.flops() ? "GFLOP/s" : "GB/s");
                pct = String.format(Locale.ROOT, "%.0f%%", 100 * rate / cRate);
            }
            md.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %s | %s |%n", e.getKey(), us, tput, ceiling, pct));
        }
        Files.writeString(out, md.toString());
        System.out.print(md);
    }
}
