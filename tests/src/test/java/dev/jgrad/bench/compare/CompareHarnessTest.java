package dev.jgrad.bench.compare;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark harness measures what it says: workloads are well defined, every engine gets the
 * same inputs, jgrad's engine computes each workload (the looped kernels agree with the vectorized
 * ones through the harness, so a mis-wired workload fails here), the agreement check rejects a
 * wrong result, and the report's ratios and verdicts follow from the times it is given.
 */
class CompareHarnessTest {

    @Test
    void everyWorkloadHasAUniqueIdThatRoundTrips() {
        Set<String> ids = new HashSet<>();
        for (Workload w : Workload.values()) {
            assertTrue(ids.add(w.id()), "duplicate id " + w.id());
            assertEquals(w, Workload.byId(w.id()));
            assertTrue(w.workPerCall() > 0, w.id() + " has no work per call");
        }
    }

    @Test
    void inputsAreTheSameBytesForEveryEngine() {
        for (Workload w : List.of(Workload.SGEMM_256, Workload.BATCHNORM_TRAIN_256X16X10X10, Workload.LENET_STEP_256)) {
            Inputs a = Inputs.of(w), b = Inputs.of(w);
            for (String name : List.of(w == Workload.SGEMM_256 ? "a" : "x"))
                assertArrayEquals(a.data(name), b.data(name), w.id() + "/" + name);
        }
        float[] x = Inputs.of(Workload.LENET_STEP_256).data("x");
        assertTrue(Arrays.stream(box(x)).distinct().count() > x.length / 2, "inputs must not be constant");
    }

    @Test
    void theLoopedEngineAgreesWithTheVectorizedOneThroughTheHarness() {
        Engine looped = CompareBench.create("jgrad-looped");
        looped.start();
        List<String> failures = new ArrayList<>();
        for (Workload w : Workload.engineWorkloads()) {
            // the big ones are the same code at larger sizes, and slow on the looped kernels
            if (w == Workload.SGEMM_1024 || w == Workload.SGEMM_2048 || w == Workload.LENET_EPOCH
                    || w == Workload.BATCHNORM_64X64X56X56 || w == Workload.BATCHNORM_TRAIN_64X64X56X56) continue;
            assertNull(looped.unsupported(w), w.id());
            try (Engine.Op op = Agreement.prepareChecked(looped, w)) {
                assertNotNull(op.run());
            } catch (RuntimeException e) {
                failures.add(w.id() + ": " + e.getMessage());
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void theAgreementCheckRejectsAWrongResult() {
        float[] want = {1, 2, 3, 4};
        assertNull(Agreement.compare(new float[] {1, 2, 3, 4.0001f}, want));
        assertNotNull(Agreement.compare(new float[] {1, 2, 3, 4.1f}, want));
        assertNotNull(Agreement.compare(new float[] {1, 2, 3}, want));
        assertNotNull(Agreement.compare(new float[] {1, 2, Float.NaN, 4}, want));
    }

    @Test
    void theReportsRatiosAndVerdictsFollowFromTheTimes() {
        // copy: 2 * 4 * 64Mi bytes in 10 ms = 53.7 GB/s; update a little slower, so copy is the ceiling
        // adam10M: 28e7 bytes in 10 ms = 28 GB/s, 0.52x of the ceiling: the target is missed
        // sgemm1024: 2.147e9 flops; jgrad 20 ms (107 GFLOP/s), pytorch 10 ms (215 GFLOP/s): 0.50x, missed
        // FMA peak: 1 TFLOP/s, so jgrad's SGEMM is at 11% of it
        double fmaMicros = Ceilings.fmaFlopsPerCall() / 1e12 * 1e6;
        Map<String, Map<Workload, Double>> micros = Map.of(
                "machine", Map.of(Workload.COPY_256MB, 10_000.0, Workload.UPDATE_256MB, 20_000.0, Workload.FMA_PEAK, fmaMicros),
                "jgrad-looped", Map.of(Workload.SGEMM_1024, 2_000_000.0, Workload.ADAM_10M, 20_000.0),
                "jgrad-vectorized", Map.of(Workload.SGEMM_1024, 20_000.0, Workload.ADAM_10M, 10_000.0),
                "pytorch", Map.of(Workload.SGEMM_1024, 10_000.0, Workload.ADAM_10M, 40_000.0));
        String md = new BenchReport(micros, List.of(Workload.values()), Map.of(), Map.of(), true, 1).markdown("x");
        assertTrue(md.contains("| sgemm1024 | GFLOP/s | 1.07 | 107 | 215 | 100x | 0.50x (pytorch) | 11% |"), md);
        assertTrue(md.contains("| SGEMM n = 1024 >= 0.7x the best peer | 0.50x of pytorch | **no** |"), md);
        assertTrue(md.contains("| adam10M | GB/s | 14.0 | 28.0 | 7.00 | 2.00x | 4.00x (pytorch) | 52% |"), md);
        assertTrue(md.contains("28.0 GB/s of 53.7 GB/s: 0.52x | **no** |"), md);
        assertTrue(md.contains("- **sgemm1024**: jgrad-vectorized runs at 0.50x pytorch's speed"), md);
        assertTrue(md.contains("| vectorized >= 10x looped on matmul and conv2d | lowest 100x (sgemm1024) | yes |"), md);
    }

    @Test
    void vectorizedCountsAsSlowerOnlyBeyondTheMeasurementError() {
        // add10k: vectorized 10.2 +- 0.3 us, looped 10.0 +- 0.3: 0.98x but within the error
        Map<String, Map<Workload, Double>> micros = Map.of(
                "jgrad-looped", Map.of(Workload.ADD_10K, 10.0, Workload.SGEMM_1024, 1000.0),
                "jgrad-vectorized", Map.of(Workload.ADD_10K, 10.2, Workload.SGEMM_1024, 10.0));
        Map<String, Map<Workload, Double>> small = Map.of(
                "jgrad-looped", Map.of(Workload.ADD_10K, 0.3), "jgrad-vectorized", Map.of(Workload.ADD_10K, 0.3));
        String md = new BenchReport(micros, small, List.of(Workload.values()), Map.of(), Map.of(), true, 1).markdown("x");
        assertTrue(md.contains("| vectorized never slower than looped (beyond the measurement error) | lowest 0.98x "
                + "(add10k: 10.2 ± 0.3 vs 10 ± 0.3 µs, within the error) | yes |"), md);
        // the same times with errors of 0.05 us: 0.2 us apart is beyond them
        Map<String, Map<Workload, Double>> tight = Map.of(
                "jgrad-looped", Map.of(Workload.ADD_10K, 0.05), "jgrad-vectorized", Map.of(Workload.ADD_10K, 0.05));
        md = new BenchReport(micros, tight, List.of(Workload.values()), Map.of(), Map.of(), true, 1).markdown("x");
        assertTrue(md.contains("| vectorized never slower than looped (beyond the measurement error) | slower: 0.98x "
                + "(add10k: 10.2 ± 0.05 vs 10 ± 0.05 µs, slower by more than the error) | **no** |"), md);
        // no errors known (one iteration): strict
        md = new BenchReport(micros, List.of(Workload.values()), Map.of(), Map.of(), true, 1).markdown("x");
        assertTrue(md.contains("| slower: 0.98x (add10k: 10.2 vs 10 µs, slower by more than the error) | **no** |"), md);
    }

    private static Float[] box(float[] a) {
        Float[] out = new Float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
