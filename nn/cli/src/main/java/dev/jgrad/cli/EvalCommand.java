package dev.jgrad.cli;

import dev.jgrad.engine.Device;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.FashionMnist;
import dev.jgrad.nn.data.Normalize;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jgrad eval}: loads a checkpoint written by {@code train} and reports test accuracy and the confusion matrix. */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Evaluate a checkpoint on the Fashion-MNIST test set (accuracy, confusion matrix).",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Cli.EXIT_CODES_0, Cli.EXIT_CODES_1, Cli.EXIT_CODES_2})
final class EvalCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "weights written by train --save, or a train --checkpoint file (default: none, required)")
    Path checkpoint;
    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto", description = "auto, cpu, cuda, or a kernel set such as cpu-looped ('jgrad devices' lists them) (default: ${DEFAULT-VALUE})")
    String device;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "directory with the Fashion-MNIST IDX files (default: " + TrainCommand.FASHION_MNIST_DEFAULT + ")")
    Path dataDir;

    /** Rejects a missing checkpoint or data directory before anything is loaded (bad usage, exit code 2). */
    void validate() {
        Checks check = new Checks(spec);
        check.inputFile("CHECKPOINT", checkpoint);
        check.inputDirectory("--data-dir", dataDir);
    }

    @Override
    public Integer call() throws Exception {
        validate();
        Device dev = new Checks(spec).device("--device", device);
        SafeTensors.Contents contents = SafeTensors.read(checkpoint, dev);
        Map<String, String> meta = contents.metadata();
        String model = meta.get("model");
        if (model == null) throw new IllegalArgumentException(checkpoint + ": no 'model' in the metadata; was it written by train --save?");
        Module net = Models.byName(model).to(dev);
        // A train --checkpoint file holds the weights as model.* beside the optimizer's state.
        net.loadStateDict(Checkpoint.isCheckpoint(meta) ? Checkpoint.section(contents.tensors(), "model") : contents.tensors());
        Normalize norm = new Normalize(new float[] {Float.parseFloat(meta.get("normalize_mean"))},
                new float[] {Float.parseFloat(meta.get("normalize_std"))}, 1, 28, 28);
        ArrayDataset test = FashionMnist.test(FashionMnist.locate(dataDir));
        DataLoader loader = DataLoader.builder(norm.apply(test)).batchSize(512).device(dev).build();
        Trainer.Evaluation r = Trainer.evaluate(net, loader, Losses::crossEntropy, 10);
        System.out.printf(Locale.ROOT, "%s (%s) on %s: test accuracy %.4f, loss %.4f, %,d images%n",
                checkpoint, model, dev, r.accuracy(), r.loss(), r.examples());
        System.out.println("confusion matrix (rows: true class, columns: predicted)");
        StringBuilder header = new StringBuilder(String.format("%-12s", ""));
        for (int j = 0; j < 10; j++) header.append(String.format("%6d", j));
        System.out.println(header);
        for (int i = 0; i < 10; i++) {
            StringBuilder row = new StringBuilder(String.format("%d %-10s", i, abbreviate(FashionMnist.CLASS_NAMES.get(i))));
            for (int j = 0; j < 10; j++) row.append(String.format("%6d", r.confusion()[i][j]));
            System.out.println(row);
        }
        return 0;
    }

    private static String abbreviate(String s) {
        return s.length() <= 10 ? s : s.substring(0, 10);
    }
}
