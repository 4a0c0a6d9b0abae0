package dev.jgrad.tests.dist;

import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.dist.Collectives;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.io.SafeTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data-parallel training over real MPI ({@code mpirun -np 2}, Open MPI through FFM) against the
 * same training in one process: the weights agree to float32 summation order, every rank holds
 * the same bits, checkpoints move between rank counts, and a rank that dies or hangs ends the job
 * with a message instead of a hang.
 */
class DataParallelTest {
    /** Relative L2 distance allowed between the 2-rank and 1-rank weights after 32 SGD steps. */
    static final double TOLERANCE = 1e-4;
    static Path data;
    static Map<String, float[]> reference;

    @BeforeAll
    static void oneRankReference() throws Exception {
        data = subset();
        reference = weights(DataParallelRun.train(Collectives.local(), data, DataParallelRun.EPOCHS, null, null, 0, false));
    }

    @Test
    void twoRanksGiveTheWeightsOfOne(@TempDir Path tmp) throws Exception {
        Mpirun.Job job = Mpirun.run(2, 120, List.of(), DataParallelRun.class, data.toString(), tmp.resolve("w").toString(),
                Integer.toString(DataParallelRun.EPOCHS));
        assertEquals(0, job.exitCode(), job.output());
        assertTrue(job.output().contains("rank 1 of 2"), job.output());
        Map<String, float[]> r0 = load(tmp.resolve("w.rank0.safetensors")), r1 = load(tmp.resolve("w.rank1.safetensors"));
        for (String k : r0.keySet()) assertArrayEquals(r0.get(k), r1.get(k), "rank 1's " + k + " differs from rank 0's");
        assertClose(reference, r0, "2 ranks against 1");
    }

    @Test
    void reducingDuringTheBackwardPassGivesTheSameBitsAsAfterIt(@TempDir Path tmp) throws Exception {
        // 20 kB buckets: LeNet's 0.25 MB of gradients in several, so that some start before the backward pass ends
        Mpirun.Job during = Mpirun.run(2, 120, List.of("-Djgrad.dist.bucketMB=0.02"), DataParallelRun.class, data.toString(),
                tmp.resolve("during").toString(), Integer.toString(DataParallelRun.EPOCHS));
        assertEquals(0, during.exitCode(), during.output());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("during the backward pass: (\\d+) of (\\d+)").matcher(during.output());
        assertTrue(m.find(), during.output());
        long early = Long.parseLong(m.group(1)), total = Long.parseLong(m.group(2));
        // 32 steps of several buckets each; a bucket started from a gradient hook overlaps the rest of that backward pass
        assertTrue(early >= 32 * 2 && early <= total, "buckets reduced during the backward pass: " + early + " of " + total);
        Mpirun.Job after = Mpirun.run(2, 120, List.of("-Djgrad.dist.bucketMB=0.02", "-Djgrad.dist.overlap=false"), DataParallelRun.class,
                data.toString(), tmp.resolve("after").toString(), Integer.toString(DataParallelRun.EPOCHS));
        assertEquals(0, after.exitCode(), after.output());
        assertTrue(after.output().contains("during the backward pass: 0 of 0"), after.output());
        Map<String, float[]> a = load(tmp.resolve("during.rank0.safetensors")), b = load(tmp.resolve("after.rank0.safetensors"));
        for (String k : a.keySet()) assertArrayEquals(b.get(k), a.get(k), k + ": overlapped and sequential reduction differ");
    }

    @Test
    void aCheckpointOfTwoRanksResumesOnOne(@TempDir Path tmp) throws Exception {
        Path ck = tmp.resolve("after-epoch-1.ckpt");
        Mpirun.Job job = Mpirun.run(2, 120, List.of(), DataParallelRun.class, data.toString(), tmp.resolve("w").toString(), "1", "-", ck.toString());
        assertEquals(0, job.exitCode(), job.output());
        Module resumed = DataParallelRun.train(Collectives.local(), data, DataParallelRun.EPOCHS, ck, null, 0, false);
        assertClose(reference, weights(resumed), "2 ranks for epoch 1, then 1 rank for epoch 2");
    }

    @Test
    void aCheckpointOfOneRankResumesOnTwo(@TempDir Path tmp) throws Exception {
        Path ck = tmp.resolve("after-epoch-1.ckpt");
        DataParallelRun.train(Collectives.local(), data, 1, null, ck, 0, false);
        Mpirun.Job job = Mpirun.run(2, 120, List.of(), DataParallelRun.class, data.toString(), tmp.resolve("w").toString(),
                Integer.toString(DataParallelRun.EPOCHS), ck.toString());
        assertEquals(0, job.exitCode(), job.output());
        assertClose(reference, load(tmp.resolve("w.rank1.safetensors")), "1 rank for epoch 1, then 2 ranks for epoch 2");
    }

    @Test
    void aRankThatDiesEndsTheJobFast(@TempDir Path tmp) throws Exception {
        Mpirun.Job job = Mpirun.run(2, 90, List.of(), DataParallelRun.class, data.toString(), tmp.resolve("w").toString(), "2", "-", "-", "3");
        assertFalse(job.killed(), "the job was still running after 90 s:\n" + job.output());
        assertNotEquals(0, job.exitCode(), job.output());
        assertTrue(job.output().contains("stopping on purpose at step 3"), job.output());
        // mpirun names the rank that ended the job and its exit status
        assertTrue(job.output().contains("exit code 7") || job.output().contains("exited with status 7")
                || job.output().contains("non-zero status"), job.output());
        assertTrue(job.seconds() < 60, "the job took " + job.seconds() + " s to end after a rank died");
    }

    @Test
    void aRankThatHangsIsReportedAfterTheTimeout(@TempDir Path tmp) throws Exception {
        Mpirun.Job job = Mpirun.run(2, 90, List.of("-Djgrad.dist.timeout=4"), DataParallelRun.class, data.toString(),
                tmp.resolve("w").toString(), "2", "-", "-", "3", "hang");
        assertFalse(job.killed(), "the job was still running after 90 s:\n" + job.output());
        assertNotEquals(0, job.exitCode(), job.output());
        assertTrue(job.output().contains("jgrad: rank 0 of 2: MPI_Allreduce"), job.output());
        assertTrue(job.output().contains("has waited"), job.output());
        assertTrue(job.seconds() < 60, "the job took " + job.seconds() + " s to end after a rank hung");
    }

    @Test
    void theCommandLineTrainsOnTwoRanksAndOnlyRankZeroSpeaks(@TempDir Path tmp) throws Exception {
        Path saved = tmp.resolve("lenet.safetensors");
        Mpirun.Job job = Mpirun.run(2, 120, List.of(), dev.jgrad.cli.Main.class, "train", "--distributed", "--model", "lenet",
                "--epochs", "1", "--train-limit", "500", "--val-fraction", "0", "--data-dir", data.toString(), "--save", saved.toString());
        assertEquals(0, job.exitCode(), job.output());
        assertEquals(1, count(job.output(), "data-parallel: 2 ranks"), job.output());
        assertEquals(1, count(job.output(), "test accuracy"), job.output());
        assertTrue(java.nio.file.Files.size(saved) > 0, "rank 0 saves the weights");
    }

    static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) n++;
        return n;
    }

    static void assertClose(Map<String, float[]> want, Map<String, float[]> got, String what) {
        assertEquals(want.keySet(), got.keySet(), what + ": parameter names");
        double diff = 0, norm = 0;
        for (String k : want.keySet()) {
            float[] a = want.get(k), b = got.get(k);
            assertEquals(a.length, b.length, what + ": " + k);
            for (int i = 0; i < a.length; i++) {
                assertTrue(Float.isFinite(b[i]), what + ": " + k + "[" + i + "] = " + b[i]);
                diff += (double) (a[i] - b[i]) * (a[i] - b[i]);
                norm += (double) a[i] * a[i];
            }
        }
        double rel = Math.sqrt(diff / norm);
        System.out.printf("%s: relative L2 distance of the weights %.3g%n", what, rel);
        assertTrue(rel < TOLERANCE, what + ": relative L2 distance of the weights " + rel + " >= " + TOLERANCE);
    }

    static Map<String, float[]> weights(Module m) {
        Map<String, float[]> out = new TreeMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toArray()));
        return out;
    }

    static Map<String, float[]> load(Path file) throws Exception {
        Map<String, float[]> out = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : SafeTensors.load(file).entrySet()) out.put(e.getKey(), e.getValue().toArray());
        return out;
    }

    static Path subset() {
        try {
            return Path.of(DataParallelTest.class.getResource("/fashion-mnist-subset/README.md").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
