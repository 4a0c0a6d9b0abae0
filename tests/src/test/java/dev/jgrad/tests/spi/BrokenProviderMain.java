package dev.jgrad.tests.spi;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;

import java.util.Arrays;

/**
 * Run by {@link BrokenProviderTest} with broken providers registered: prints the report, the load
 * failures, the devices, and the result of an op on the default device.
 */
public final class BrokenProviderMain {
    public static void main(String[] args) {
        System.out.println("report:\n" + Device.report() + "\nend of report");
        for (String f : Device.loadFailures()) System.out.println("failure: " + f);
        System.out.println("all: " + Device.all());
        Device d = Device.defaultDevice();
        System.out.println("default: " + d.name());
        Tensor sum = Tensor.of(d, new float[] {1, 2, 3}, 3).add(Tensor.of(d, new float[] {10, 20, 30}, 3));
        System.out.println("sum: " + Arrays.toString(sum.toArray()));
        try {
            Device.get("flaky");
            System.out.println("flaky: usable");
        } catch (IllegalArgumentException e) {
            System.out.println("flaky: " + e.getMessage());
        }
    }
}
