package dev.jgrad.engine.dist;

import dev.jgrad.engine.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Where a {@link Collective} comes from: {@link #local()} for one process, {@link #mpi()} inside
 * a job that {@code mpirun} (or Slurm's {@code srun} with PMIx) started, and
 * {@link #fromEnvironment()} to pick between the two by the variables the launcher sets.
 *
 * <p>Settings: {@code -Djgrad.dist.bucketMB} (bucket size for {@code allReduceSum}, default 4 MB),
 * {@code -Djgrad.dist.timeout} (seconds an MPI operation may wait for the other ranks before this
 * rank reports it and exits, default 120).
 */
public final class Collectives {
    private Collectives() {}

    /** The bucket size of {@link Collective#allReduceSum(List)}: {@code -Djgrad.dist.bucketMB}, default 4. */
    public static long bucketBytes() {
        double mb = Double.parseDouble(System.getProperty("jgrad.dist.bucketMB", "4"));
        if (!(mb > 0) || mb > 1024)
            throw new IllegalArgumentException("-Djgrad.dist.bucketMB=" + mb + ": needs a size in (0, 1024] MB");
        return Math.max(4, (long) (mb * 1e6) / 4 * 4);
    }

    /** Seconds an MPI operation may wait for the others: {@code -Djgrad.dist.timeout}, default 120. */
    public static double timeoutSeconds() {
        double s = Double.parseDouble(System.getProperty("jgrad.dist.timeout", "120"));
        if (!(s > 0)) throw new IllegalArgumentException("-Djgrad.dist.timeout=" + s + ": needs a positive number of seconds");
        return s;
    }

    /** Whether the environment says this process is one rank of an MPI job (Open MPI, PMIx or Slurm variables). */
    public static boolean launchedByMpi() {
        return launchedByMpi(System.getenv());
    }

    static boolean launchedByMpi(Map<String, String> env) {
        return env.containsKey("OMPI_COMM_WORLD_SIZE") || env.containsKey("PMIX_RANK") || env.containsKey("PMI_SIZE");
    }

    /** MPI when {@link #launchedByMpi()}, otherwise {@link #local()}. */
    public static Collective fromEnvironment() {
        return launchedByMpi() ? mpi() : local();
    }

    /**
     * Joins the MPI job this process belongs to (MPI_Init). Outside {@code mpirun} Open MPI runs
     * as a job of one rank ("singleton").
     *
     * @throws IllegalStateException naming the library and the Debian packages when Open MPI is missing
     */
    public static Collective mpi() {
        return MpiCollective.init();
    }

    /** The one-rank collective: rank 0 of 1, every operation the identity. */
    public static Collective local() {
        return LOCAL;
    }

    /** One process's host bucket for the local collective's scaling (allocated on first use). */
    private static final ThreadLocal<java.lang.foreign.MemorySegment> BUCKET =
            ThreadLocal.withInitial(() -> java.lang.foreign.Arena.ofAuto().allocate(1 << 20, 64));

    private static final Collective LOCAL = new Collective() {
        @Override public int rank() { return 0; }
        @Override public int size() { return 1; }
        @Override public String describe() { return "local (one process)"; }
        @Override public void allReduceSum(List<Tensor> tensors, float scale) {
            HostBuckets.checkDense(tensors, "allReduceSum");
            if (scale != 1f) for (Tensor t : tensors) HostBuckets.run(List.of(t), BUCKET.get(), scale, (bucket, n) -> {});
        }
        @Override public void broadcast(List<Tensor> tensors, int root) {
            HostBuckets.checkRoot(root, 1, "broadcast");
            HostBuckets.checkDense(tensors, "broadcast");
        }
        @Override public double[] allReduceSum(double[] values) { return values.clone(); }
        @Override public void broadcastBytes(byte[] bytes, int root) { HostBuckets.checkRoot(root, 1, "broadcastBytes"); }
        @Override public void barrier() {}
        @Override public boolean allowsBackgroundCalls() { return true; }
        @Override public void close() {}
    };
}
