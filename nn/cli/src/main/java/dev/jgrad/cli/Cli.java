package dev.jgrad.cli;

import dev.jgrad.engine.Device;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jgrad} command line: train, eval, critical, surface, devices, demo. */
@Command(name = "jgrad", mixinStandardHelpOptions = true, version = "jgrad 0.1.0",
        description = "A from-scratch deep-learning engine for the JVM.",
        subcommands = {TrainCommand.class, EvalCommand.class, AnalysisCommand.Critical.class,
                AnalysisCommand.Surface.class, Cli.Devices.class, Cli.Demo.class})
public final class Cli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Runs the command line and returns its exit code. Errors print one line, not a stack trace. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Cli());
        cl.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            commandLine.getErr().println("jgrad " + commandLine.getCommandName() + ": " + e.getMessage());
            if (Boolean.getBoolean("jgrad.debug")) e.printStackTrace(commandLine.getErr());
            return 1;
        });
        return cl.execute(args);
    }

    @Command(name = "devices", mixinStandardHelpOptions = true, description = "List the backends this machine has, and why any is missing.")
    static final class Devices implements Runnable {
        @Override
        public void run() {
            System.out.println(Device.report());
            System.out.println("kernel sets: " + Device.all());
            System.out.println("default (-Djgrad.device, -Djgrad.cpu.kernels): " + Device.defaultDevice());
            for (Device d : Device.all())
                if (d.backend() instanceof dev.jgrad.cuda.CudaBackend cuda) System.out.println(cuda.describe());
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true, description = "Fit linear regression on synthetic data with SGD.")
    static final class Demo implements Runnable {
        @Override
        public void run() {
            LinearRegressionDemo.main(System.out, Device.defaultDevice());
        }
    }
}
