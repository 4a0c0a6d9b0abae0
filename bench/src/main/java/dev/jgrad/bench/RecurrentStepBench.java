package dev.jgrad.bench;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Recurrent;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One recurrent step as the {@link Recurrent} composition runs it, against its two matrix
 * products alone ({@code x W_ih^T} and {@code h W_hh^T}, the work no cell kernel can avoid): the
 * ratio {@code gemmsOnly / cell} is the share of a step the gate math costs, which is what a fused
 * cell kernel could win back at most; {@code composedStep} is the step with the gate math composed
 * from tensor ops, {@code cellStep} with the fused backend call, and the {@code *Train} pair
 * adds the backward pass. Batch 64, input 128, hidden 256.
 * Run: {@code ./jgrad bench jmh RecurrentStepBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class RecurrentStepBench {
    @Param({"cpu-vectorized"})
    public String device;

    @Param({"gru", "lstm"})
    public String cell;

    int n = 64, in = 128, hidden = 256;
    Tensor x, h, c, wIh, wHh, bIh, bHh;

    @Setup(Level.Trial)
    public void setUp() {
        Device d = Device.get(device);
        Generator g = new Generator(7);
        int gates = cell.equals("gru") ? 3 : 4;
        x = Tensor.randn(d, g, n, in);
        h = Tensor.randn(d, g, n, hidden);
        c = Tensor.randn(d, g, n, hidden);
        wIh = Tensor.randn(d, g, gates * hidden, in).mul(0.05f);
        wHh = Tensor.randn(d, g, gates * hidden, hidden).mul(0.05f);
        bIh = Tensor.randn(d, g, gates * hidden);
        bHh = Tensor.randn(d, g, gates * hidden);
    }

    /** The whole step: two products, bias adds, gate slices, nonlinearities, the state update. */
    @Benchmark
    public float cellStep() {
        try (MemoryScope scope = MemoryScope.open(); GradMode.Scope noGrad = GradMode.disable()) {
            Tensor out = cell.equals("gru") ? Recurrent.gruCell(x, h, wIh, wHh, bIh, bHh)
                    : Recurrent.lstmCell(x, h, c, wIh, wHh, bIh, bHh)[0];
            return out.get(0, 0);   // reads one element: the step has finished on any device
        }
    }

    /** The same step with the gate math composed from tensor ops (what cellStep ran before the fused kernels). */
    @Benchmark
    public float composedStep() {
        try (MemoryScope scope = MemoryScope.open(); GradMode.Scope noGrad = GradMode.disable()) {
            Tensor out = cell.equals("gru") ? Recurrent.gruCellComposed(x, h, wIh, wHh, bIh, bHh)
                    : Recurrent.lstmCellComposed(x, h, c, wIh, wHh, bIh, bHh)[0];
            return out.get(0, 0);
        }
    }

    /** Forward and backward through one step with the fused gate math (what training runs per step and layer). */
    @Benchmark
    public float cellStepTrain() {
        return train(false);
    }

    /** Forward and backward with the composed gate math. */
    @Benchmark
    public float composedStepTrain() {
        return train(true);
    }

    private float train(boolean composed) {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor xr = x.detach().requiresGrad(true), hr = h.detach().requiresGrad(true);
            Tensor out = cell.equals("gru")
                    ? (composed ? Recurrent.gruCellComposed(xr, hr, wIh, wHh, bIh, bHh) : Recurrent.gruCell(xr, hr, wIh, wHh, bIh, bHh))
                    : (composed ? Recurrent.lstmCellComposed(xr, hr, c, wIh, wHh, bIh, bHh) : Recurrent.lstmCell(xr, hr, c, wIh, wHh, bIh, bHh))[0];
            out.sum().backward();
            return xr.grad().get(0, 0);
        }
    }

    /** The two products only. */
    @Benchmark
    public float gemmsOnly() {
        try (MemoryScope scope = MemoryScope.open(); GradMode.Scope noGrad = GradMode.disable()) {
            Tensor a = x.matmul(wIh.t()), b = h.matmul(wHh.t());
            return a.get(0, 0) + b.get(0, 0);
        }
    }
}
