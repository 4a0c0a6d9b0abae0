package dev.jgrad.tests.determinism;

import dev.jgrad.engine.Device;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Same inputs, same bits, through the JIT's warm-up: each workload of {@link Workloads} runs
 * {@value #REPEATS} times on identical inputs on every device, and every float of every repeat
 * must have the raw bits of the first repeat. The first repeats run interpreted, later ones in
 * C1 and then C2 code: a kernel whose summation order depends on the compiled form (the Vector
 * API's {@code reduceLanes(ADD)}, an intrinsic swapped in for a transcendental) fails here.
 * Devices whose kernels are not Java (CUDA, emulated or real) take {@value #NATIVE_REPEATS}
 * repeats: no JIT changes their code, and the emulation is slow.
 */
class RepeatedKernelTest {
    static final int REPEATS = 200, NATIVE_REPEATS = 3;

    @TestFactory
    Stream<DynamicTest> everyRepeatHasTheFirstRepeatsBits() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Device.all())
            for (Workloads.Workload w : Workloads.all())
                tests.add(DynamicTest.dynamicTest(d.name() + ": " + w.name(), () -> repeat(d, w)));
        return tests.stream();
    }

    private static void repeat(Device d, Workloads.Workload w) {
        List<float[]> first = Workloads.runScoped(w, d);
        int repeats = d.name().startsWith("cpu") ? REPEATS : NATIVE_REPEATS;
        for (int r = 1; r < repeats; r++) {
            List<float[]> again = Workloads.runScoped(w, d);
            String diff = firstDifference(first, again);
            if (diff != null) fail(d.name() + ", " + w.name() + ": repeat " + r + " differs from repeat 0: " + diff);
        }
    }

    /** Null when both hold the same raw bits, otherwise where and how they first differ. */
    static String firstDifference(List<float[]> a, List<float[]> b) {
        if (a.size() != b.size()) return a.size() + " outputs vs " + b.size();
        for (int k = 0; k < a.size(); k++) {
            float[] x = a.get(k), y = b.get(k);
            if (x.length != y.length) return "output " + k + " has " + x.length + " vs " + y.length + " elements";
            int count = 0, firstAt = -1;
            for (int i = 0; i < x.length; i++)
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                    if (firstAt < 0) firstAt = i;
                    count++;
                }
            if (count > 0)
                return "output " + k + ": " + count + " of " + x.length + " elements, the first at [" + firstAt + "]: "
                        + x[firstAt] + " vs " + y[firstAt];
        }
        return null;
    }
}
