package dev.jgrad.tests.determinism;

import dev.jgrad.engine.Device;

import java.util.List;
import java.util.Map;

/**
 * Prints {@code <device> | <workload> = <hash of its bits>} for every workload of {@link Workloads}
 * and a LeNet-BN training run on the CPU devices, for {@link ThreadCountTest} to compare between
 * JVMs started with different {@code -Djgrad.cpu.threads}.
 */
public final class ThreadCountMain {
    private ThreadCountMain() {}

    public static void main(String[] args) {
        for (String name : List.of("cpu-looped", "cpu-vectorized")) {
            Device d = Device.get(name);
            for (Map.Entry<String, List<float[]>> e : Workloads.runAll(d).entrySet())
                System.out.println(name + " | " + e.getKey() + " = " + Long.toHexString(Workloads.hash(e.getValue())));
            System.out.println(name + " | lenet-bn training = " + Long.toHexString(Workloads.hash(Training.run(d, "lenet-bn", 11))));
        }
        System.out.println("done");
    }
}
