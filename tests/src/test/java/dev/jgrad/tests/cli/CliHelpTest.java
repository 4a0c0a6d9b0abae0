package dev.jgrad.tests.cli;

import dev.jgrad.bench.compare.BenchMain;
import dev.jgrad.cli.Cli;
import dev.jgrad.nn.data.FashionMnist;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.jgrad.tests.cli.CliRun.flat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The help of every command (descriptions and defaults), the version, and jgrad without a command. */
class CliHelpTest {

    /** Every command of the jgrad tree and the bench command. */
    private static List<CommandLine> allCommands() {
        List<CommandLine> all = new ArrayList<>();
        collect(new CommandLine(new Cli()), all);
        all.add(new CommandLine(new BenchMain()));
        return all;
    }

    private static void collect(CommandLine cl, List<CommandLine> into) {
        into.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) collect(sub, into);
    }

    @Test
    void everyOptionOfEveryCommandHasADescriptionThatShowsItsDefault() {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (CommandLine cl : allCommands()) {
            CommandSpec spec = cl.getCommandSpec();
            List<ArgSpec> args = new ArrayList<>(spec.positionalParameters());
            for (OptionSpec o : spec.options()) if (!o.usageHelp() && !o.versionHelp()) args.add(o);
            String usage = flat(cl.getUsageMessage(CommandLine.Help.Ansi.OFF));
            for (ArgSpec a : args) {
                String name = a instanceof OptionSpec o ? o.longestName() : a.paramLabel();
                String description = flat(String.join(" ", a.renderedDescription())).strip();
                String where = spec.qualifiedName() + " " + name;
                checked++;
                if (description.isEmpty()) {
                    problems.add(where + ": no description");
                    continue;
                }
                if (!description.contains("(default: ")) problems.add(where + ": no default in '" + description + "'");
                else if (a.defaultValue() != null && !description.contains("(default: " + a.defaultValue()))
                    problems.add(where + ": the help says '" + description + "', the default is " + a.defaultValue());
                if (!usage.contains(description)) problems.add(where + ": '" + description + "' is not in the usage");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(checked > 30, "only " + checked + " options found");
    }

    @Test
    void trainHelpShowsTheDocumentedDefaultsAndChoices() {
        CliRun r = CliRun.jgrad("train", "--help");
        assertEquals(0, r.code(), r.both());
        String help = flat(r.out());
        // The README's defaults: 10 epochs, batch 128, Adam lr 0.002 with a cosine schedule, the small CNN.
        for (String expected : List.of("--epochs=N passes over the training set, at least 1 (default: 10)",
                "(default: 128)", "(default: 0.002)", "(default: cosine)", "(default: adam)", "(default: cnn)",
                "softmax, mlp, lenet, lenet-bn, cnn", "sgd, momentum, adagrad, rmsprop, adam, adamw", "none, step, exp, cosine",
                "0: no early stopping (default: 0)", "(default: " + FashionMnist.DEFAULT_DIR + ")", "(default: not saved)"))
            assertTrue(help.contains(expected), "'" + expected + "' is not in\n" + r.out());
    }

    @Test
    void versionIsTheMavenProjectVersion() throws Exception {
        // The version as the parent POM declares it, read here independently of the CLI's resource.
        String pom = Files.readString(Path.of("../pom.xml"));
        Matcher m = Pattern.compile("<artifactId>jgrad-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "no version in ../pom.xml");
        String expected = "jgrad " + m.group(1);
        for (String[] args : List.of(new String[] {"-V"}, new String[] {"--version"}, new String[] {"train", "-V"},
                new String[] {"eval", "--version"}, new String[] {"devices", "-V"})) {
            CliRun r = CliRun.jgrad(args);
            assertEquals(0, r.code(), r.both());
            assertEquals(expected, r.out().lines().findFirst().orElse(""), String.join(" ", args) + ": " + r.both());
        }
        CliRun bench = CliRun.bench(Path.of("").toAbsolutePath(), "-V");
        assertEquals(0, bench.code(), bench.both());
        assertTrue(bench.out().startsWith(expected + System.lineSeparator()), bench.both());
    }

    @Test
    void noCommandPrintsTheUsageAndExitsWithTwo() {
        CliRun r = CliRun.jgrad();
        assertEquals(2, r.code(), r.both());
        assertEquals("", r.out(), "nothing runs, nothing on stdout");
        for (String command : List.of("train", "eval", "critical", "surface", "devices", "demo"))
            assertTrue(r.err().contains("  " + command + " "), command + " is not in the usage:\n" + r.err());
        assertTrue(r.err().contains("Exit codes"), r.err());

        CliRun help = CliRun.jgrad("--help");
        assertEquals(0, help.code(), help.both());
        assertTrue(help.out().contains("Usage: jgrad"), help.both());
    }

    @Test
    void anUnknownCommandIsBadUsage() {
        CliRun r = CliRun.jgrad("trian");
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("'trian'") && r.err().contains("jgrad train"), r.both());
        assertFalse(r.out().contains("training"), r.both());
    }
}
