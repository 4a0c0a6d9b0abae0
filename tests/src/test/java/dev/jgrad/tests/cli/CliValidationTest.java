package dev.jgrad.tests.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad values are bad usage (exit code 2) with a message naming the option, found before any data is
 * read: each run points {@code --data-dir} at an empty directory, so a check that came after the
 * data would fail with "Fashion-MNIST is not in ..." instead.
 */
class CliValidationTest {

    private static CliRun train(Path emptyDataDir, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--data-dir", emptyDataDir.toString(), "--device", "cpu"));
        args.addAll(List.of(extra));
        return CliRun.jgrad(args.toArray(String[]::new));
    }

    private static void assertBadUsage(CliRun r, String... inMessage) {
        assertEquals(2, r.code(), r.both());
        for (String s : inMessage) assertTrue(r.err().contains(s), "'" + s + "' is not in the message: " + r.both());
        assertFalse(r.err().contains("Fashion-MNIST is not in"), "the data was looked for first: " + r.both());
        assertFalse(r.out().contains("training "), "training started: " + r.both());
    }

    @ParameterizedTest(name = "train {0} {1}")
    @CsvSource({
            "--epochs, -1, at least 1", "--epochs, 0, at least 1",
            "--batch-size, 0, at least 1",
            "--lr, 0, above 0", "--lr, -0.1, above 0", "--lr, NaN, above 0", "--lr, Infinity, above 0",
            "--momentum, 1, '[0, 1)'", "--momentum, -0.5, '[0, 1)'",
            "--weight-decay, -0.01, at least 0",
            "--clip-norm, -1, at least 0",
            "--warmup, -1, at least 0",
            "--val-fraction, 1, '[0, 1)'", "--val-fraction, -0.1, '[0, 1)'",
            "--patience, -1, at least 0",
            "--train-limit, -5, at least 0"})
    void trainRejectsOutOfRangeValues(String option, String value, String allowed, @TempDir Path empty) {
        assertBadUsage(train(empty, option, value), option, allowed, value);
    }

    @Test
    void patienceNeedsAValidationSet(@TempDir Path empty) {
        assertBadUsage(train(empty, "--patience", "2", "--val-fraction", "0"), "--patience", "--val-fraction");
    }

    @ParameterizedTest(name = "train {0} nope")
    @CsvSource({
            "--model, 'softmax, mlp, lenet, lenet-bn, cnn'",
            "--optimizer, 'sgd, momentum, adagrad, rmsprop, adam, adamw'",
            "--schedule, 'none, step, exp, cosine'"})
    void aChoiceOutsideTheEnumListsTheValidOnes(String option, String valid, @TempDir Path empty) {
        assertBadUsage(train(empty, option, "nope"), option, "'nope' is not one of " + valid);
    }

    @Test
    void everyListedChoiceIsAccepted(@TempDir Path empty) {
        // With --epochs 0 the run stops at the range check, after parsing: a rejected choice would fail earlier.
        for (String model : List.of("softmax", "mlp", "lenet", "lenet-bn", "cnn"))
            assertBadUsage(train(empty, "--model", model, "--epochs", "0"), "--epochs");
        for (String opt : List.of("sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw"))
            assertBadUsage(train(empty, "--optimizer", opt, "--epochs", "0"), "--epochs");
        for (String s : List.of("none", "step", "exp", "cosine"))
            assertBadUsage(train(empty, "--schedule", s, "--epochs", "0"), "--epochs");
        assertBadUsage(train(empty, "--model", "LENET_BN"), "'LENET_BN' is not one of");
    }

    @Test
    void anUnknownDeviceIsBadUsageNamingTheKnownOnes(@TempDir Path empty) {
        assertBadUsage(CliRun.jgrad("train", "--data-dir", empty.toString(), "--device", "tpu"),
                "--device", "unknown device 'tpu'", "cpu-looped");
    }

    @Test
    void aMissingDataDirectoryIsBadUsage(@TempDir Path tmp) {
        CliRun r = CliRun.jgrad("train", "--data-dir", tmp.resolve("nope").toString());
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("--data-dir") && r.err().contains("is not a directory"), r.both());
    }

    @Test
    void theOtherCommandsCheckTheirRangesAndInputs(@TempDir Path tmp) {
        assertBadUsage(CliRun.jgrad("critical", "saddle", "--top-k", "0"), "--top-k", "at least 1");
        assertBadUsage(CliRun.jgrad("critical", "--checkpoint", tmp.resolve("x.safetensors").toString(), "--examples", "0"),
                "--examples", "at least 1");
        assertBadUsage(CliRun.jgrad("critical"), "give a toy problem (TOY) or --checkpoint");
        assertBadUsage(CliRun.jgrad("critical", "saddle", "--checkpoint", "x.safetensors"), "not both");
        assertBadUsage(CliRun.jgrad("critical", "sadle@1,2"), "unknown toy problem 'sadle'", "saddle, tiny-net");
        assertBadUsage(CliRun.jgrad("critical", "--checkpoint", tmp.resolve("missing.safetensors").toString()),
                "--checkpoint", "missing.safetensors does not exist");
        assertBadUsage(CliRun.jgrad(tmp, "surface", "saddle", "--steps", "0"), "--steps", "at least 1");
        assertBadUsage(CliRun.jgrad(tmp, "surface", "nope"), "unknown toy problem 'nope'");
        assertBadUsage(CliRun.jgrad(tmp, "eval", "missing.safetensors"), tmp.resolve("missing.safetensors") + " does not exist");
    }

    @Test
    void benchChecksItsEnginesWorkloadsAndModesBeforeRunning(@TempDir Path tmp) {
        CliRun engines = CliRun.bench(tmp, "--engines", "jgrad-looped,tensorflow");
        assertEquals(2, engines.code(), engines.both());
        assertTrue(engines.err().contains("'tensorflow' is not one of machine, jgrad-looped"), engines.both());
        CliRun workloads = CliRun.bench(tmp, "--workloads", "sgemm256,sgemm3");
        assertEquals(2, workloads.code(), workloads.both());
        assertTrue(workloads.err().contains("unknown workload 'sgemm3'"), workloads.both());
        CliRun modes = CliRun.bench(tmp, "--quick", "--full");
        assertEquals(2, modes.code(), modes.both());
        assertTrue(modes.err().contains("--quick and --full exclude each other"), modes.both());
        CliRun unknown = CliRun.bench(tmp, "--fast");
        assertEquals(2, unknown.code(), unknown.both());
    }
}
