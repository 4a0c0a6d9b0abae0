package dev.jgrad.cli;

import dev.jgrad.cli.charts.TrainingChart;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.Dataset;
import dev.jgrad.nn.data.FashionMnist;
import dev.jgrad.nn.data.Normalize;
import dev.jgrad.nn.data.Splits;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.optim.AdaGrad;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.AdamW;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.RMSProp;
import dev.jgrad.nn.optim.SGD;
import dev.jgrad.nn.train.EarlyStopping;
import dev.jgrad.nn.train.History;
import dev.jgrad.nn.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jgrad train}: trains a model on Fashion-MNIST and reports its test accuracy. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model on Fashion-MNIST, then print its test accuracy.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "cnn", description = "softmax, mlp, lenet, lenet-bn or cnn (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--epochs", defaultValue = "10") int epochs;
    @Option(names = "--batch-size", defaultValue = "128") int batchSize;
    @Option(names = "--lr", defaultValue = "0.002") float lr;
    @Option(names = "--optimizer", defaultValue = "adam", description = "sgd, momentum, adagrad, rmsprop, adam or adamw")
    String optimizer;
    @Option(names = "--momentum", defaultValue = "0.9") float momentum;
    @Option(names = "--weight-decay", defaultValue = "0") float weightDecay;
    @Option(names = "--clip-norm", defaultValue = "0", description = "clip gradients to this global norm (0: off)")
    float clipNorm;
    @Option(names = "--schedule", defaultValue = "cosine", description = "none, step, exp or cosine, per step (default: ${DEFAULT-VALUE})")
    String schedule;
    @Option(names = "--warmup", defaultValue = "0", description = "linear warm-up steps before the schedule")
    int warmup;
    @Option(names = "--device", defaultValue = "auto", description = "cpu, cuda or auto") String device;
    @Option(names = "--data-dir", description = "directory with the Fashion-MNIST IDX files") Path dataDir;
    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--val-fraction", defaultValue = "0.1", description = "held out for validation (0: none)")
    double valFraction;
    @Option(names = "--patience", defaultValue = "0", description = "early-stopping patience in epochs (0: off)")
    int patience;
    @Option(names = "--train-limit", defaultValue = "0", description = "use only the first N training examples (0: all)")
    int trainLimit;
    @Option(names = "--save", description = "write the trained weights here (safetensors)") Path save;
    @Option(names = "--history", description = "write per-epoch metrics here (CSV)") Path historyCsv;
    @Option(names = "--plot", description = "write loss/accuracy curves here (PNG)") Path plot;

    @Override
    public Integer call() throws Exception {
        Device dev = Device.get(device);
        Init.manualSeed(seed);
        Path dir = FashionMnist.locate(dataDir);
        ArrayDataset fullTrain = FashionMnist.train(dir);
        ArrayDataset test = FashionMnist.test(dir);
        Dataset trainSet = trainLimit > 0 && trainLimit < fullTrain.size() ? fullTrain.subset(range(trainLimit)) : fullTrain;
        Dataset validation = null;
        if (valFraction > 0) {
            Splits.Split split = Splits.trainValidation(trainSet, valFraction, new Generator(seed + 1));
            trainSet = split.train();
            validation = split.validation();
        }
        Normalize norm = Normalize.fit(trainSet);
        Module net = Models.byName(model).to(dev);
        Optimizer opt = optimizer(net);
        if (clipNorm > 0) opt.clipGradNorm(clipNorm);
        System.out.printf(Locale.ROOT, "training %s (%,d parameters) on %s: %d epochs, batch %d, %s lr %g, %,d train / %s val / %,d test%n",
                model, net.parameterCount(), dev, epochs, batchSize, optimizer, lr, trainSet.size(),
                validation == null ? "no" : String.format("%,d", validation.size()), test.size());

        DataLoader trainLoader = DataLoader.builder(norm.apply(trainSet)).batchSize(batchSize)
                .shuffle(new Generator(seed + 2)).device(dev).build();
        DataLoader valLoader = validation == null ? null
                : DataLoader.builder(norm.apply(validation)).batchSize(512).device(dev).build();
        Trainer trainer = new Trainer(net, opt, Losses::crossEntropy);
        LrSchedule s = schedule(trainLoader.batchesPerEpoch() * epochs);
        if (s != null) trainer.schedule(s);
        if (patience > 0) trainer.earlyStopping(new EarlyStopping(patience, 1e-4));
        History history = trainer.fit(trainLoader, valLoader, epochs);

        DataLoader testLoader = DataLoader.builder(norm.apply(test)).batchSize(512).device(dev).build();
        Trainer.Evaluation result = Trainer.evaluate(net, testLoader, Losses::crossEntropy, 10);
        double secondsPerEpoch = history.epochs().stream().mapToDouble(History.Epoch::seconds).average().orElse(0);
        System.out.printf(Locale.ROOT, "test accuracy %.4f (loss %.4f) on %,d images; %.1f s per epoch on %s%n",
                result.accuracy(), result.loss(), result.examples(), secondsPerEpoch, dev);

        if (save != null) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("model", model);
            meta.put("normalize_mean", Float.toString(norm.mean()[0]));
            meta.put("normalize_std", Float.toString(norm.std()[0]));
            meta.put("test_accuracy", String.format(Locale.ROOT, "%.4f", result.accuracy()));
            SafeTensors.save(save, net.stateDict(), meta);
            System.out.println("saved " + save);
        }
        if (historyCsv != null) history.saveCsv(historyCsv);
        if (plot != null) TrainingChart.draw(history, plot, model + " on Fashion-MNIST (" + dev + ")");
        return 0;
    }

    private Optimizer optimizer(Module net) {
        var params = net.parameters();
        return switch (optimizer) {
            case "sgd" -> new SGD(params, lr, 0f, weightDecay);
            case "momentum" -> new SGD(params, lr, momentum, weightDecay);
            case "adagrad" -> new AdaGrad(params, lr, weightDecay);
            case "rmsprop" -> new RMSProp(params, lr, 0.99f, weightDecay);
            case "adam" -> new Adam(params, lr, 0.9f, 0.999f, 1e-8f, weightDecay, false);
            case "adamw" -> new AdamW(params, lr, weightDecay);
            default -> throw new IllegalArgumentException("--optimizer " + optimizer
                    + " is not one of sgd, momentum, adagrad, rmsprop, adam, adamw");
        };
    }

    private LrSchedule schedule(int totalSteps) {
        LrSchedule base = switch (schedule) {
            case "none" -> warmup > 0 ? LrSchedule.constant(lr) : null;
            case "step" -> LrSchedule.step(lr, Math.max(1, totalSteps / 3), 0.1f);
            case "exp" -> LrSchedule.exponential(lr, (float) Math.pow(0.01, 1.0 / Math.max(1, totalSteps)));
            case "cosine" -> LrSchedule.cosine(lr, Math.max(1, totalSteps - warmup), 0f);
            default -> throw new IllegalArgumentException("--schedule " + schedule + " is not one of none, step, exp, cosine");
        };
        return base == null ? null : warmup > 0 ? LrSchedule.warmup(warmup, base) : base;
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
