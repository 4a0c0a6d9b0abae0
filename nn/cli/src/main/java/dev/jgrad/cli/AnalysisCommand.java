package dev.jgrad.cli;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.analysis.CriticalPoints;
import dev.jgrad.nn.analysis.ToyProblem;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.Batch;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.FashionMnist;
import dev.jgrad.nn.data.Normalize;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.models.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jgrad critical} and {@code jgrad surface}: why training is stuck, on models and on toy surfaces. */
final class AnalysisCommand {
    private AnalysisCommand() {}

    @Command(name = "critical", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Hessian analysis at the current point: loss, gradient norm, extreme eigenvalues and a verdict "
                    + "(local minimum, local maximum, saddle point, not a critical point, degenerate).",
                    "Give a toy problem (optionally @x,y) or --checkpoint with a model trained by 'train --save'."},
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Cli.EXIT_CODES_0, Cli.EXIT_CODES_1, Cli.EXIT_CODES_2})
    static final class Critical implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "TOY", completionCandidates = Choices.ToyProblems.class,
                description = "toy problem: ${COMPLETION-CANDIDATES}, at its critical point or at @x,y as in saddle@0.5,0.2 "
                        + "(default: none; give TOY or --checkpoint)")
        String toy;
        @Option(names = "--checkpoint", paramLabel = "FILE", description = "analyse this trained model on Fashion-MNIST training examples (default: none)")
        Path checkpoint;
        @Option(names = "--examples", paramLabel = "N", defaultValue = "1000", description = "training examples the loss is averaged over, at least 1 (default: ${DEFAULT-VALUE})")
        int examples;
        @Option(names = "--top-k", paramLabel = "K", defaultValue = "2", description = "extreme eigenvalues reported at each end, at least 1 (default: ${DEFAULT-VALUE})")
        int topK;
        @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto", description = "device of --checkpoint's model: auto, cpu, cuda, or a kernel set such as cpu-looped (default: ${DEFAULT-VALUE})")
        String device;
        @Option(names = "--data-dir", paramLabel = "DIR", description = "directory with the Fashion-MNIST IDX files (default: " + TrainCommand.FASHION_MNIST_DEFAULT + ")")
        Path dataDir;

        /** One of TOY and --checkpoint, in-range counts, an existing checkpoint (bad usage, exit code 2). */
        void validate() {
            Checks check = new Checks(spec);
            if ((toy == null) == (checkpoint == null))
                throw check.usage(toy == null ? "give a toy problem (TOY) or --checkpoint" : "give a toy problem (TOY) or --checkpoint, not both");
            check.atLeast("--examples", examples, 1);
            check.atLeast("--top-k", topK, 1);
            check.inputFile("--checkpoint", checkpoint);
            check.inputDirectory("--data-dir", dataDir);
            if (toy != null) {
                String name = toy.contains("@") ? toy.substring(0, toy.indexOf('@')) : toy;
                if (!ToyProblem.NAMES.contains(name))
                    throw check.usage("TOY: unknown toy problem '" + name + "'; choose one of " + String.join(", ", ToyProblem.NAMES));
            }
        }

        @Override
        public Integer call() throws Exception {
            validate();
            CriticalPoints.Options options = CriticalPoints.Options.defaults().withTopK(topK);
            if (checkpoint == null) {
                AnalysisCommands.critical(toy, options, System.out);
                return 0;
            }
            Device dev = new Checks(spec).device("--device", device);
            SafeTensors.Contents contents = SafeTensors.read(checkpoint, dev);
            Map<String, String> meta = contents.metadata();
            Module net = Models.byName(meta.getOrDefault("model", "")).to(dev);
            net.loadStateDict(contents.tensors());
            Normalize norm = new Normalize(new float[] {Float.parseFloat(meta.get("normalize_mean"))},
                    new float[] {Float.parseFloat(meta.get("normalize_std"))}, 1, 28, 28);
            ArrayDataset train = FashionMnist.train(FashionMnist.locate(dataDir));
            int n = Math.min(examples, train.size());
            DataLoader loader = DataLoader.builder(norm.apply(train.subset(TrainCommand.range(n))))
                    .batchSize(250).device(dev).build();
            List<Tensor[]> batches = new ArrayList<>();
            for (Batch b : loader) batches.add(new Tensor[] {b.x(), b.y()});
            System.out.printf("critical point analysis of %s (%s, %,d parameters) on %,d training examples%n",
                    checkpoint, meta.get("model"), net.parameterCount(), n);
            AnalysisCommands.critical(net, batches, Losses::crossEntropy, options, System.out);
            return 0;
        }
    }

    @Command(name = "surface", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Run SGD, momentum, AdaGrad, RMSProp and Adam from the same start on a 2-parameter surface "
                    + "and draw their paths on a contour plot.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Cli.EXIT_CODES_0, Cli.EXIT_CODES_1, Cli.EXIT_CODES_2})
    static final class Surface implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", defaultValue = "saddle", paramLabel = "PROBLEM", completionCandidates = Choices.ToyProblems.class,
                description = "the surface: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
        String problem;
        @Option(names = "--out", paramLabel = "FILE", defaultValue = "surface.png", description = "the contour plot (PNG); its directory must exist (default: ${DEFAULT-VALUE} in the working directory)")
        Path out;
        @Option(names = "--steps", paramLabel = "N", defaultValue = "100", description = "steps of each optimizer, at least 1 (default: ${DEFAULT-VALUE})")
        int steps;

        /** A known surface, at least one step, a writable output (bad usage, exit code 2). */
        void validate() {
            Checks check = new Checks(spec);
            if (!ToyProblem.NAMES.contains(problem))
                throw check.usage("PROBLEM: unknown toy problem '" + problem + "'; choose one of " + String.join(", ", ToyProblem.NAMES));
            check.atLeast("--steps", steps, 1);
            check.output("--out", out);
        }

        @Override
        public Integer call() {
            validate();
            AnalysisCommands.surface(problem, out, steps, System.out);
            return 0;
        }
    }
}
