package dev.jgrad.cli;

import dev.jgrad.engine.Device;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The {@code jgrad} command line: train, eval, onnx, sequence, latent, gradients, critical, surface, devices, demo.
 *
 * <p>Relative paths in arguments ({@code --save out.safetensors}, {@code eval rel.safetensors})
 * are resolved against the user's working directory when the arguments are parsed, so every
 * command sees, checks and prints absolute paths. Exit codes: 0 success, 1 a failure while the
 * command ran, 2 bad usage (no or an unknown command, an unknown option, a value out of range or
 * not among the choices, an output that cannot be written), found before any work starts.
 */
@Command(name = "jgrad", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A from-scratch deep-learning engine for the JVM.",
        subcommands = {TrainCommand.class, EvalCommand.class, OnnxCommand.class, SequenceCommand.class, LatentCommand.class, GradientsCommand.class, AnalysisCommand.Critical.class,
                AnalysisCommand.Surface.class, Cli.Devices.class, Cli.Demo.class},
        footer = {"", "The launcher ./jgrad also runs: test (the test suite), bench (the benchmarks), bundle (the GPU bundle).",
                "'jgrad <command> --help' lists a command's options with their defaults."},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Cli.EXIT_CODES_0, Cli.EXIT_CODES_1, Cli.EXIT_CODES_2})
public final class Cli implements Runnable {
    static final String EXIT_CODES_0 = "0:success";
    static final String EXIT_CODES_1 = "1:the command failed while running";
    static final String EXIT_CODES_2 = "2:bad usage (found before any work starts)";

    @Spec CommandSpec spec;

    /** {@code jgrad} with no command: the usage on stderr, exit code 2 (a command is required). */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "no command given");
    }

    /** Runs the command line in the process's working directory and returns its exit code. */
    public static int run(String... args) {
        return run(Path.of("").toAbsolutePath(), args);
    }

    /**
     * Runs the command line with relative paths resolved against {@code workingDirectory} (instead
     * of the process's) and returns its exit code. Errors print one line, not a stack trace
     * ({@code -Djgrad.debug=true} adds it).
     */
    public static int run(Path workingDirectory, String... args) {
        return commandLine(workingDirectory).execute(args);
    }

    /** The command line, with its converters and error handlers, not yet run. */
    static CommandLine commandLine(Path workingDirectory) {
        CommandLine cl = new CommandLine(new Cli());
        configure(cl, workingDirectory);
        return cl;
    }

    /**
     * What every jgrad command line shares (the bench's too): paths resolved against
     * {@code workingDirectory}, one-line errors, and bad usage reported with a pointer to
     * {@code --help} rather than the whole usage.
     */
    public static void configure(CommandLine cl, Path workingDirectory) {
        if (!workingDirectory.isAbsolute())
            throw new IllegalArgumentException("the working directory must be absolute, got " + workingDirectory);
        cl.registerConverter(Path.class, s -> {
            if (s.isEmpty()) throw new CommandLine.TypeConversionException("an empty path");
            return withoutDotSegments(workingDirectory.resolve(s));
        });
        Choices.register(cl);
        cl.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            if (Boolean.getBoolean("jgrad.debug")) e.printStackTrace(commandLine.getErr());
            return commandLine.getCommandSpec().exitCodeOnExecutionException();
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            PrintWriter err = c.getErr();
            String name = c.getCommandSpec().qualifiedName();
            err.println(name + ": " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            if (c.getCommandSpec().subcommands().isEmpty()) {
                err.println("Try '" + name + " --help' for the options.");
            } else {
                err.println();
                c.usage(err);
            }
            return c.getCommandSpec().exitCodeOnInvalidInput();
        });
    }

    /** {@code /a/./b} as {@code /a/b}; {@code ..} stays, since it is not the same path where a link precedes it. */
    private static Path withoutDotSegments(Path p) {
        Path out = p.getRoot();
        for (Path part : p) {
            if (part.toString().equals(".")) continue;
            out = out == null ? part : out.resolve(part);
        }
        return out == null ? p : out;
    }

    @Command(name = "devices", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "List the backends this machine has, and why any is missing.")
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

    @Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Fit linear regression on synthetic data with SGD.")
    static final class Demo implements Runnable {
        @Override
        public void run() {
            LinearRegressionDemo.main(System.out, Device.defaultDevice());
        }
    }
}
