/**
 * jgrad's engine: {@link dev.jgrad.engine.Tensor}, autograd, the {@link dev.jgrad.engine.Backend}
 * SPI and the CPU backends. The Vector API is optional: without
 * {@code --add-modules jdk.incubator.vector} the CPU runs its looped kernels and says so.
 */
module dev.jgrad.engine {
    requires static jdk.incubator.vector;

    exports dev.jgrad.engine;
    exports dev.jgrad.engine.autograd;
    exports dev.jgrad.engine.dist;

    uses dev.jgrad.engine.BackendProvider;
    provides dev.jgrad.engine.BackendProvider with dev.jgrad.engine.cpu.CpuBackendProvider;
}
