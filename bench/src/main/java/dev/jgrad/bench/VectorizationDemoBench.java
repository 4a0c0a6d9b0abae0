package dev.jgrad.bench;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The classic vectorization demo of the courses: adding two 10,000-element vectors one element at
 * a time through the Tensor API in a Java loop, versus one {@code add} call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class VectorizationDemoBench {
    @Param({"cpu-looped", "cpu-vectorized"})
    public String device;

    @Param({"10000"})
    public int n;

    private Tensor a, b;

    @Setup
    public void setup() {
        Device d = Device.get(device);
        Generator gen = new Generator(1);
        a = Tensor.randn(d, gen, n);
        b = Tensor.randn(d, gen, n);
    }

    /** {@code c[i] = a[i] + b[i]} for each i, reading elements through the Tensor API. */
    @Benchmark
    public Tensor elementByElement() {
        float[] c = new float[n];
        for (int i = 0; i < n; i++) c[i] = a.get(i) + b.get(i);
        return Tensor.of(a.device(), c, n);
    }

    /** One vectorized op. */
    @Benchmark
    public Tensor oneAddCall() {
        return a.add(b);
    }
}
