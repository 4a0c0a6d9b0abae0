package dev.jgrad.tests;

import dev.jgrad.conformance.Ref;
import dev.jgrad.conformance.RefOps;
import dev.jgrad.conformance.Seeds;

import dev.jgrad.bench.compare.CompareBench;
import dev.jgrad.bench.compare.Engine;
import dev.jgrad.bench.compare.Inputs;
import dev.jgrad.bench.compare.Workload;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark workloads compute what their names say: jgrad's vectorized engine, driven through
 * the benchmark harness on the harness's own inputs, against this suite's float64 references. (The
 * peers are then held to jgrad's results inside every benchmark trial, so this is what anchors
 * every row of the comparison to a float64 truth.)
 */
class BenchWorkloadReferenceTest {

    @Test
    void harnessWorkloadsMatchFloat64References() {
        Engine engine = CompareBench.create("jgrad-vectorized");
        engine.start();
        List<String> failures = new ArrayList<>();
        for (Workload w : List.of(Workload.SGEMM_256, Workload.ADD_10K, Workload.ADD_ELEMENT_LOOP_10K,
                Workload.SOFTMAX_256X1000, Workload.CONV_LENET1, Workload.CONV_LENET2, Workload.MAXPOOL_256X6X28X28,
                Workload.BATCHNORM_256X16X10X10, Workload.ADAM_1M)) {
            Inputs in = Inputs.of(w);
            Ref want = reference(w, in);
            float[] got;
            try (Engine.Op op = engine.prepare(w, in)) {
                got = op.result();
            }
            if (got.length != want.data.length) {
                failures.add(w.id() + ": " + got.length + " values, expected " + want.data.length);
                continue;
            }
            double diff = 0, norm = 0;
            for (int i = 0; i < want.data.length; i++) {
                diff += (got[i] - want.data[i]) * (got[i] - want.data[i]);
                norm += want.data[i] * want.data[i];
            }
            double rel = Math.sqrt(diff / norm);
            if (!(rel < 1e-5)) failures.add(String.format(Locale.ROOT, "%s: relative error %.3g", w.id(), rel));
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static Ref reference(Workload w, Inputs in) {
        return switch (w) {
            case SGEMM_256 -> RefOps.matmul(ref(in, "a"), ref(in, "b"));
            case ADD_10K, ADD_ELEMENT_LOOP_10K -> Ref.zip(ref(in, "a"), ref(in, "b"), Double::sum);
            case SOFTMAX_256X1000 -> RefOps.softmax(ref(in, "x"), 1, false);
            case CONV_LENET1 -> RefOps.conv2d(ref(in, "x"), ref(in, "w"), ref(in, "b"), 1, 2);
            case CONV_LENET2 -> RefOps.conv2d(ref(in, "x"), ref(in, "w"), ref(in, "b"), 1, 0);
            case MAXPOOL_256X6X28X28 -> RefOps.pool2d(ref(in, "x"), 2, 2, 0, true);
            case BATCHNORM_256X16X10X10 -> RefOps.batchNorm(ref(in, "x"), ref(in, "gamma"), ref(in, "beta"),
                    Ref.zeros(16), Ref.zeros(16), true, 1e-5);
            case ADAM_1M -> {
                // one Adam step, t = 1, lr 1e-3, betas 0.9 / 0.999, eps 1e-8
                double[] p = ref(in, "p").data, g = ref(in, "g").data, m = ref(in, "m").data, v = ref(in, "v").data;
                double[] out = new double[p.length];
                for (int i = 0; i < p.length; i++) {
                    double m1 = 0.9 * m[i] + 0.1 * g[i], v1 = 0.999 * v[i] + 0.001 * g[i] * g[i];
                    out[i] = p[i] - 1e-3 * (m1 / 0.1) / (Math.sqrt(v1 / 0.001) + 1e-8);
                }
                yield new Ref(new int[] {p.length}, out);
            }
            default -> throw new IllegalArgumentException("no reference for " + w.id());
        };
    }

    private static Ref ref(Inputs in, String name) {
        float[] f = in.data(name);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return new Ref(in.shape(name), d);
    }
}
