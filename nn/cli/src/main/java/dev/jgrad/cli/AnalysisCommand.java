package dev.jgrad.cli;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.analysis.CriticalPoints;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.Batch;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.FashionMnist;
import dev.jgrad.nn.data.Normalize;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.models.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jgrad critical} and {@code jgrad surface}: why training is stuck, on models and on toy surfaces. */
final class AnalysisCommand {
    private AnalysisCommand() {}

    @Command(name = "critical", mixinStandardHelpOptions = true,
            description = {"Hessian analysis at the current point: loss, gradient norm, extreme eigenvalues and a verdict "
                    + "(local minimum, local maximum, saddle point, not a critical point, degenerate).",
                    "Give a toy problem (saddle, tiny-net, ill-conditioned, rosenbrock, cosine, minimum, maximum; "
                            + "optionally @x,y) or --checkpoint with a model trained by 'train --save'."})
    static final class Critical implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", description = "toy problem, e.g. saddle or saddle@0.5,0.2") String toy;
        @Option(names = "--checkpoint", description = "analyse this trained model on Fashion-MNIST training examples")
        Path checkpoint;
        @Option(names = "--examples", defaultValue = "1000", description = "training examples the loss is averaged over")
        int examples;
        @Option(names = "--top-k", defaultValue = "2") int topK;
        @Option(names = "--device", defaultValue = "auto") String device;
        @Option(names = "--data-dir") Path dataDir;

        @Override
        public Integer call() throws Exception {
            CriticalPoints.Options options = CriticalPoints.Options.defaults().withTopK(topK);
            if (checkpoint == null) {
                if (toy == null) throw new IllegalArgumentException("give a toy problem or --checkpoint");
                AnalysisCommands.critical(toy, options, System.out);
                return 0;
            }
            Device dev = Device.get(device);
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

    @Command(name = "surface", mixinStandardHelpOptions = true,
            description = "Run SGD, momentum, AdaGrad, RMSProp and Adam from the same start on a 2-parameter surface "
                    + "(saddle, tiny-net, ill-conditioned, rosenbrock, cosine) and draw their paths on a contour plot.")
    static final class Surface implements Callable<Integer> {
        @Parameters(index = "0", defaultValue = "saddle") String problem;
        @Option(names = "--out", defaultValue = "surface.png") Path out;
        @Option(names = "--steps", defaultValue = "100") int steps;

        @Override
        public Integer call() {
            AnalysisCommands.surface(problem, out, steps, System.out);
            return 0;
        }
    }
}
