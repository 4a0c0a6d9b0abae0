package dev.jgrad.tests.dist;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.dist.Collective;
import dev.jgrad.engine.dist.Collectives;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.Dataset;
import dev.jgrad.nn.data.FashionMnist;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.SGD;
import dev.jgrad.nn.train.DataParallel;
import dev.jgrad.nn.train.History;
import dev.jgrad.nn.train.Trainer;
import dev.jgrad.nn.train.TrainingListener;

import java.nio.file.Path;
import java.util.Map;

/**
 * One run of the data-parallel LeNet training that the distributed tests compare: in this JVM
 * (one rank) or as one rank of {@code mpirun -np N} ({@link #main}). LeNet (no batch norm, no
 * dropout, so sharding changes nothing but the summation order), SGD with momentum and a cosine
 * schedule, global batch 32 over the first {@value #EXAMPLES} training images of the committed
 * subset: 15 full batches and a last one of a single example, which leaves the second rank of two
 * with no example in that step.
 */
public final class DataParallelRun {
    static final int EXAMPLES = 481, BATCH = 32, EPOCHS = 2;

    private DataParallelRun() {}

    /**
     * Trains epochs {@code from..to} (resuming from {@code resume} when not null, writing a
     * checkpoint to {@code checkpoint} when not null) and returns the model. Every rank's initial
     * weights come from its own seed, so they agree only when rank 0's broadcast reached them.
     *
     * @param dieAt  when positive: the last rank stops at this global step, by {@code exit} (die) or by sleeping (hang)
     */
    static Module train(Collective c, Path data, int epochs, Path resume, Path checkpoint, int dieAt, boolean hang) throws Exception {
        Device dev = Device.get("cpu-vectorized");
        Init.manualSeed(1234 + 1000L * c.rank());
        Dataset train = FashionMnist.train(data).subset(range(EXAMPLES));
        Module model = Models.byName("lenet").to(dev);
        SGD opt = new SGD(model.parameters(), 0.05f, 0.9f, 0f);
        DataLoader loader = DataLoader.builder(train).batchSize(BATCH).shuffle(new Generator(77)).device(dev)
                .shard(c.rank(), c.size()).build();
        Trainer trainer = new Trainer(model, opt, Losses::crossEntropy).distributed(c)
                .schedule(LrSchedule.cosine(0.05f, loader.batchesPerEpoch() * EPOCHS, 0f));
        if (checkpoint != null) trainer.checkpoint(checkpoint);
        if (resume != null) trainer.resumeFrom(resume);
        if (dieAt > 0 && c.rank() == c.size() - 1) trainer.listener(new TrainingListener() {
            @Override
            public void onStepEnd(StepEvent e) {
                if (e.step() < dieAt) return;
                System.err.println("rank " + c.rank() + ": stopping on purpose at step " + e.step() + (hang ? " (hanging)" : " (exit 7)"));
                System.err.flush();
                if (!hang) System.exit(7);
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        History h = trainer.fit(loader, null, epochs);
        long[] overlap = DataParallel.overlapCounts();
        if (c.rank() == 0) System.out.printf("trained to epoch %d: train loss %.6f, accuracy %.4f over %d ranks; "
                        + "buckets reduced during the backward pass: %d of %d%n",
                h.last().epoch(), h.last().trainLoss(), h.last().train().get("accuracy"), c.size(), overlap[0], overlap[1]);
        return model;
    }

    /** {@code java DataParallelRun DATA_DIR OUT_PREFIX EPOCHS [RESUME|-] [CHECKPOINT|-] [DIE_AT] [hang]}: one rank of an mpirun job. */
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]), out = Path.of(args[1]);
        int epochs = Integer.parseInt(args[2]);
        Path resume = args.length > 3 && !args[3].equals("-") ? Path.of(args[3]) : null;
        Path checkpoint = args.length > 4 && !args[4].equals("-") ? Path.of(args[4]) : null;
        int dieAt = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        boolean hang = args.length > 6 && args[6].equals("hang");
        try (Collective c = Collectives.mpi()) {
            System.out.println("rank " + c.rank() + ": " + c.describe());
            Module model = train(c, data, epochs, resume, checkpoint, dieAt, hang);
            // every rank writes its weights: the test checks that they are the same bits on all
            Map<String, Tensor> state = model.stateDict();
            SafeTensors.save(Path.of(out + ".rank" + c.rank() + ".safetensors"), state, Map.of("ranks", Integer.toString(c.size())));
        }
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
