package dev.jgrad.cli;


/** jgrad's entry point; see {@link Cli} for the commands. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(Cli.run(args));
    }
}
