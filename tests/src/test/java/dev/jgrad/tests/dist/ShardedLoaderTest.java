package dev.jgrad.tests.dist;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.Batch;
import dev.jgrad.nn.data.DataLoader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distributed sampler: over an epoch the shards of R ranks cover every example exactly once,
 * every rank runs the same number of steps, and global batch t (the union of the ranks' batch t)
 * is unsharded batch t; each epoch reshuffles, identically on every rank.
 */
class ShardedLoaderTest {
    /** A data set whose label is the example's index, so batches say which examples they hold. */
    static ArrayDataset indexed(int n) {
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) x[i] = y[i] = i;
        return new ArrayDataset(x, y, 1);
    }

    static List<List<Integer>> batches(DataLoader loader) {
        List<List<Integer>> out = new ArrayList<>();
        for (Batch b : loader) {
            try (b) {
                List<Integer> ids = new ArrayList<>();
                for (float v : b.y().toArray()) ids.add((int) v);
                out.add(ids);
            }
        }
        return out;
    }

    @Test
    void shardsCoverEveryExampleOnceAndFormTheUnshardedBatches() {
        Device cpu = Device.get("cpu-vectorized");
        for (int[] c : new int[][] {{481, 32, 2}, {481, 32, 3}, {100, 10, 4}, {7, 5, 3}, {2, 4, 3}, {1, 1, 2}, {64, 64, 1}}) {
            int n = c[0], batch = c[1], ranks = c[2];
            List<List<List<Integer>>> unshardedEpochs = new ArrayList<>();
            DataLoader plain = DataLoader.builder(indexed(n)).batchSize(batch).shuffle(new Generator(9)).device(cpu).build();
            for (int e = 0; e < 2; e++) unshardedEpochs.add(batches(plain));
            List<DataLoader> shards = new ArrayList<>();
            for (int r = 0; r < ranks; r++)
                shards.add(DataLoader.builder(indexed(n)).batchSize(batch).shuffle(new Generator(9)).device(cpu).shard(r, ranks).build());
            for (int e = 0; e < 2; e++) {
                List<List<List<Integer>>> perRank = new ArrayList<>();
                for (DataLoader s : shards) perRank.add(batches(s));
                String what = "N " + n + ", batch " + batch + ", " + ranks + " ranks, epoch " + e;
                int steps = plain.batchesPerEpoch();
                List<Integer> seen = new ArrayList<>();
                for (int r = 0; r < ranks; r++) {
                    assertEquals(steps, perRank.get(r).size(), what + ": steps of rank " + r);
                    assertEquals(steps, shards.get(r).batchesPerEpoch(), what);
                }
                for (int t = 0; t < steps; t++) {
                    Set<Integer> global = new HashSet<>();
                    int examples = 0;
                    for (int r = 0; r < ranks; r++) {
                        global.addAll(perRank.get(r).get(t));
                        examples += perRank.get(r).get(t).size();
                        seen.addAll(perRank.get(r).get(t));
                    }
                    assertEquals(new HashSet<>(unshardedEpochs.get(e).get(t)), global, what + ": global batch " + t);
                    assertEquals(unshardedEpochs.get(e).get(t).size(), examples, what + ": examples of batch " + t);
                    assertEquals(examples, shards.get(0).globalBatchExamples(t), what + ": globalBatchExamples(" + t + ")");
                }
                assertEquals(n, seen.size(), what + ": examples seen");
                assertEquals(n, new HashSet<>(seen).size(), what + ": every example exactly once");
            }
            if (n > batch) assertTrue(!unshardedEpochs.get(0).equals(unshardedEpochs.get(1)), "epochs must reshuffle");
        }
    }

    @Test
    void badShardsAreRejected() {
        DataLoader.Builder b = DataLoader.builder(indexed(4));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.shard(2, 2)).getMessage().contains("shard 2 of 2"));
        assertThrows(IllegalArgumentException.class, () -> b.shard(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> b.shard(0, 0));
    }
}
