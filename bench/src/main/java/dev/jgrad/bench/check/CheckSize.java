package dev.jgrad.bench.check;

/**
 * The workload sizes of one first-GPU check. {@code full} is what an H100 or H200 runs; {@code
 * small} ({@code JGRAD_CHECK_SIZE=small}) shrinks every workload so that the whole check runs in
 * about a minute against the CPU or an emulated CUDA device, to prove that every step works.
 *
 * @param name         {@code full} or {@code small}
 * @param gemm         SGEMM n (n x n times n x n)
 * @param adam         Adam parameters
 * @param smRows       softmax rows
 * @param smCols       softmax columns (the reduced axis)
 * @param bnN          batch norm (N, C, H, H): N
 * @param bnC          C
 * @param bnH          H (and W)
 * @param memorySteps  training steps of the memory check; it samples the allocator at step 10 and the last
 * @param memoryBatch  the memory check's batch size
 * @param lenetTrain   LeNet training images (0: all 60,000)
 * @param lenetTest    LeNet test images (0: all 10,000)
 * @param lenetBatch   LeNet batch size
 * @param lenetEpochs  LeNet epochs
 * @param lenetStepBatch the batch of the timed LeNet training step (jgrad against PyTorch eager)
 * @param timing       the kernel timer's warm-up and repetitions
 */
record CheckSize(String name, int gemm, int adam, int smRows, int smCols, int bnN, int bnC, int bnH,
                 int memorySteps, int memoryBatch, int lenetTrain, int lenetTest, int lenetBatch, int lenetEpochs,
                 int lenetStepBatch, Timer.Settings timing) {

    static final CheckSize FULL = new CheckSize("full", 4096, 10_000_000, 65536, 1024, 256, 64, 56,
            1000, 64, 0, 0, 128, 2, 256, new Timer.Settings(0.3, 21, 0.002, 4, 50));
    static final CheckSize SMALL = new CheckSize("small", 256, 100_000, 512, 1024, 8, 16, 28,
            50, 16, 512, 256, 32, 2, 16, new Timer.Settings(0.05, 5, 0.002, 3, 20));

    /** {@code full} or {@code small}, from {@code -Djgrad.check.size} (default full). */
    static CheckSize fromProperty() {
        String s = System.getProperty("jgrad.check.size", "full");
        return switch (s) {
            case "full" -> FULL;
            case "small" -> SMALL;
            default -> throw new IllegalArgumentException("-Djgrad.check.size=" + s + " is not one of full, small");
        };
    }

    long bnNumel() {
        return (long) bnN * bnC * bnH * bnH;
    }
}
