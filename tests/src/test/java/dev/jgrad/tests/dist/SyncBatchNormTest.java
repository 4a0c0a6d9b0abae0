package dev.jgrad.tests.dist;

import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.dist.Collectives;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.layers.BatchNorm;
import dev.jgrad.nn.layers.SyncBatchNorm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SyncBatchNorm over two ranks, each with half of a batch, against plain batch norm (the fused
 * kernel) over the whole batch in one process: outputs and input gradients row for row, parameter
 * gradients summed over the ranks, running statistics equal.
 */
class SyncBatchNormTest {
    @Test
    void twoHalvesNormalizeAsTheWholeBatch(@TempDir Path tmp) throws Exception {
        Map<String, Tensor> whole = SyncBatchNormRun.step(new BatchNorm(SyncBatchNormRun.C, 0.1f, 1e-5f), 0, SyncBatchNormRun.N);
        Mpirun.Job job = Mpirun.run(2, 90, List.of(), SyncBatchNormRun.class, tmp.resolve("bn").toString());
        assertEquals(0, job.exitCode(), job.output());
        Map<String, Tensor> r0 = SafeTensors.load(tmp.resolve("bn.rank0.safetensors")), r1 = SafeTensors.load(tmp.resolve("bn.rank1.safetensors"));
        for (String k : List.of("y", "grad_x"))
            close(whole.get(k).toArray(), concat(r0.get(k).toArray(), r1.get(k).toArray()), k);
        for (String k : List.of("grad_weight", "grad_bias"))
            close(whole.get(k).toArray(), r0.get(k).add(r1.get(k)).toArray(), k + " summed over the ranks");
        for (String k : List.of("running_mean", "running_var")) {
            close(whole.get(k).toArray(), r0.get(k).toArray(), k + " on rank 0");
            close(whole.get(k).toArray(), r1.get(k).toArray(), k + " on rank 1");
        }
    }

    @Test
    void withOneRankItIsPlainBatchNorm() {
        Map<String, Tensor> plain = SyncBatchNormRun.step(new BatchNorm(SyncBatchNormRun.C, 0.1f, 1e-5f), 0, SyncBatchNormRun.N);
        Map<String, Tensor> sync = SyncBatchNormRun.step(new SyncBatchNorm(SyncBatchNormRun.C, Collectives.local()), 0, SyncBatchNormRun.N);
        for (String k : plain.keySet()) close(plain.get(k).toArray(), sync.get(k).toArray(), k);
    }

    static float[] concat(float[] a, float[] b) {
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static void close(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        double diff = 0, norm = 0;
        for (int i = 0; i < want.length; i++) {
            assertTrue(Float.isFinite(got[i]), what + "[" + i + "] = " + got[i]);
            diff += (double) (want[i] - got[i]) * (want[i] - got[i]);
            norm += (double) want[i] * want[i];
        }
        double rel = Math.sqrt(diff / Math.max(norm, 1e-30));
        assertTrue(rel < 1e-5, what + ": relative error " + rel);
    }
}
