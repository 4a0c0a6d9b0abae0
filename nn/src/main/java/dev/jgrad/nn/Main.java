package dev.jgrad.nn;

import dev.jgrad.engine.Device;

/**
 * jgrad's command-line entry point. {@code demo} (the default) fits linear regression on
 * synthetic data; {@code devices} lists the backends this machine has.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String command = args.length == 0 ? "demo" : args[0];
        switch (command) {
            case "demo" -> LinearRegressionDemo.main(System.out, Device.defaultDevice());
            case "devices" -> {
                System.out.println(Device.report());
                System.out.println("kernel sets: " + Device.all());
                System.out.println("default (-Djgrad.device, -Djgrad.cpu.kernels): " + Device.defaultDevice());
            }
            default -> {
                System.err.println("usage: jgrad [demo|devices]");
                System.exit(2);
            }
        }
    }
}
