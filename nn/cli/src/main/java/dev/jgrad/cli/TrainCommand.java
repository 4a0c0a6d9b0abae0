package dev.jgrad.cli;

import dev.jgrad.cli.charts.TrainingChart;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.dist.Collective;
import dev.jgrad.engine.dist.Collectives;
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
import dev.jgrad.nn.train.ProgressBar;
import dev.jgrad.nn.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jgrad train}: trains a model on Fashion-MNIST and reports its test accuracy (with
 * {@code --csv}, a cross-validated tabular regression instead: {@link CsvRegression}). Every
 * argument is checked by {@link #validate()} before the data is read.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Version.class,
        description = "Train a model on Fashion-MNIST, then print its test accuracy; or, with --csv, a regression on a CSV table, cross-validated against least squares.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Cli.EXIT_CODES_0, Cli.EXIT_CODES_1, Cli.EXIT_CODES_2})
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "cnn", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Choices.Model model;
    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "passes over the training set, at least 1 (default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128", description = "examples per step, at least 1 (default: ${DEFAULT-VALUE})")
    int batchSize;
    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0.002", description = "learning rate, above 0 (default: ${DEFAULT-VALUE})")
    float lr;
    @Option(names = "--optimizer", paramLabel = "OPTIMIZER", defaultValue = "adam", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Choices.Optimizer optimizer;
    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0.9", description = "momentum of --optimizer momentum, in [0, 1) (default: ${DEFAULT-VALUE})")
    float momentum;
    @Option(names = "--weight-decay", paramLabel = "WD", defaultValue = "0", description = "L2 penalty (decoupled for adamw), at least 0 (default: ${DEFAULT-VALUE})")
    float weightDecay;
    @Option(names = "--clip-norm", paramLabel = "NORM", defaultValue = "0", description = "clip gradients to this global norm, at least 0; 0: off (default: ${DEFAULT-VALUE})")
    float clipNorm;
    @Option(names = "--schedule", paramLabel = "SCHEDULE", defaultValue = "cosine", description = "learning rate per step: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Choices.Schedule schedule;
    @Option(names = "--warmup", paramLabel = "STEPS", defaultValue = "0", description = "linear warm-up steps before the schedule, at least 0 (default: ${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto", description = "auto, cpu, cuda, or a kernel set such as cpu-looped ('jgrad devices' lists them) (default: ${DEFAULT-VALUE})")
    String device;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "directory with the Fashion-MNIST IDX files (default: " + FASHION_MNIST_DEFAULT + ")")
    Path dataDir;
    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42", description = "seed of the initial weights, the split and the shuffling (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--val-fraction", paramLabel = "F", defaultValue = "0.1", description = "share of the training set held out for validation, in [0, 1); 0: none (default: ${DEFAULT-VALUE})")
    double valFraction;
    @Option(names = "--patience", paramLabel = "EPOCHS", defaultValue = "0", description = "stop after this many epochs without a better validation loss, at least 0; 0: no early stopping (default: ${DEFAULT-VALUE})")
    int patience;
    @Option(names = "--train-limit", paramLabel = "N", defaultValue = "0", description = "use only the first N training examples, at least 0; 0: all (default: ${DEFAULT-VALUE})")
    int trainLimit;
    @Option(names = "--save", paramLabel = "FILE", description = "write the trained weights here (safetensors); its directory must exist (default: not saved)")
    Path save;
    @Option(names = "--history", paramLabel = "FILE", description = "write per-epoch metrics here (CSV); its directory must exist (default: not written)")
    Path historyCsv;
    @Option(names = "--plot", paramLabel = "FILE", description = "write loss/accuracy curves here (PNG); its directory must exist (default: not drawn)")
    Path plot;
    @Option(names = "--checkpoint", paramLabel = "FILE", description = "write a resumable checkpoint here after every epoch (weights, optimizer state, schedule position, random state); its directory must exist (default: none)")
    Path checkpointFile;
    @Option(names = "--resume", paramLabel = "FILE", description = "continue the run a --checkpoint FILE saved; give the options of that run (default: start afresh)")
    Path resumeFile;
    @Option(names = "--distributed", description = "data-parallel over the ranks of the MPI job that started this process "
            + "(mpirun -np N ./jgrad train --distributed ...): each rank trains on its shard of every batch of --batch-size, the gradients "
            + "are averaged by an all-reduce; rank 0 prints and saves (default: one process)")
    boolean distributed;
    @Option(names = "--csv", paramLabel = "FILE", description = "tabular regression instead of Fashion-MNIST: a CSV file with a header row, cross-validated (default: none)")
    Path csv;
    @Option(names = "--target", paramLabel = "COLUMN", description = "with --csv: the column to predict (default: none; --csv needs it)")
    String target;
    @Option(names = "--features", paramLabel = "COLUMNS", split = ",", description = "with --csv: the feature columns (default: every other column)")
    String[] features;
    @Option(names = "--folds", paramLabel = "K", defaultValue = "5", description = "with --csv: folds of the cross-validation, at least 2 (default: ${DEFAULT-VALUE})")
    int folds;
    @Option(names = "--impute", paramLabel = "POLICY", defaultValue = "reject", description = "with --csv: a missing feature value is an error (reject) or the training split's mean (mean) (default: ${DEFAULT-VALUE})")
    String impute;
    @Option(names = "--hidden", paramLabel = "H", defaultValue = "64", description = "with --csv: hidden units of the MLP; 0: a linear layer (default: ${DEFAULT-VALUE})")
    int hidden;

    /** Where Fashion-MNIST is looked for without {@code --data-dir}. */
    static final String FASHION_MNIST_DEFAULT = "/usr/share/datasets/fashion-mnist";

    /** Rejects out-of-range values and unwritable outputs before any data is read (bad usage, exit code 2). */
    void validate() {
        Checks check = new Checks(spec);
        check.atLeast("--epochs", epochs, 1);
        check.atLeast("--batch-size", batchSize, 1);
        check.positive("--lr", lr);
        check.fraction("--momentum", momentum);
        check.atLeast("--weight-decay", weightDecay, 0.0);
        check.atLeast("--clip-norm", clipNorm, 0.0);
        check.atLeast("--warmup", warmup, 0);
        check.fraction("--val-fraction", valFraction);
        check.atLeast("--patience", patience, 0);
        check.atLeast("--train-limit", trainLimit, 0);
        if (patience > 0 && valFraction == 0)
            throw check.usage("--patience " + patience + " needs a validation set: give --val-fraction above 0");
        check.inputDirectory("--data-dir", dataDir);
        check.output("--save", save);
        check.output("--history", historyCsv);
        check.output("--plot", plot);
        check.output("--checkpoint", checkpointFile);
        check.inputFile("--resume", resumeFile);
    }

    /** The options that mean something only for Fashion-MNIST, or only for --csv. */
    private static final List<String> IMAGE_ONLY = List.of("--model", "--data-dir", "--val-fraction", "--patience", "--train-limit", "--distributed",
            "--save", "--history", "--plot", "--checkpoint", "--resume"), CSV_ONLY = List.of("--target", "--features", "--folds", "--impute", "--hidden");

    private Integer csvRegression() {
        Checks check = new Checks(spec);
        var parsed = spec.commandLine().getParseResult();
        for (String opt : IMAGE_ONLY)
            if (parsed.hasMatchedOption(opt)) throw check.usage(opt + " is for Fashion-MNIST training; it does not apply with --csv");
        if (target == null) throw check.usage("--csv needs --target COLUMN, the column to predict");
        check.inputFile("--csv", csv);
        check.atLeast("--folds", folds, 2);
        check.atLeast("--hidden", hidden, 0);
        if (!impute.equals("reject") && !impute.equals("mean")) throw check.usage("--impute " + impute + " is not reject or mean");
        Device dev = check.device("--device", device);
        return new CsvRegression(this).run(dev);
    }

    @Override
    public Integer call() throws Exception {
        validate();
        if (csv != null) return csvRegression();
        for (String opt : CSV_ONLY)
            if (spec.commandLine().getParseResult().hasMatchedOption(opt))
                throw new Checks(spec).usage(opt + " is for tabular regression: give it with --csv FILE");
        Device dev = new Checks(spec).device("--device", device);
        Collective collective = distributed ? Collectives.mpi() : Collectives.local();
        try {
            return imageTraining(dev, collective);
        } finally {
            collective.close();
        }
    }

    private Integer imageTraining(Device dev, Collective collective) throws Exception {
        boolean lead = collective.rank() == 0;
        // Only rank 0 speaks; the others' output would interleave with it.
        java.io.PrintStream out = lead ? System.out : new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
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
        Module net = Models.byName(model.toString()).to(dev);
        Optimizer opt = optimizer(net);
        if (clipNorm > 0) opt.clipGradNorm(clipNorm);
        out.printf(Locale.ROOT, "training %s (%,d parameters) on %s: %d epochs, batch %d, %s lr %g, %,d train / %s val / %,d test%n",
                model, net.parameterCount(), dev, epochs, batchSize, optimizer, lr, trainSet.size(),
                validation == null ? "no" : String.format("%,d", validation.size()), test.size());
        if (collective.size() > 1 || distributed)
            out.printf(Locale.ROOT, "data-parallel: %d ranks (%s), %s examples per rank and step%n", collective.size(), collective.describe(),
                    batchSize % collective.size() == 0 ? Integer.toString(batchSize / collective.size()) : "about " + batchSize / collective.size());

        DataLoader trainLoader = DataLoader.builder(norm.apply(trainSet)).batchSize(batchSize)
                .shuffle(new Generator(seed + 2)).device(dev).shard(collective.rank(), collective.size()).build();
        DataLoader valLoader = validation == null ? null
                : DataLoader.builder(norm.apply(validation)).batchSize(512).device(dev).build();
        Trainer trainer = new Trainer(net, opt, Losses::crossEntropy).distributed(collective);
        if (lead) trainer.listener(new ProgressBar());
        if (checkpointFile != null) trainer.checkpoint(checkpointFile).checkpointMetadata(Map.of("model", model.toString(),
                "normalize_mean", Float.toString(norm.mean()[0]), "normalize_std", Float.toString(norm.std()[0])));
        if (resumeFile != null) trainer.resumeFrom(resumeFile);
        LrSchedule s = schedule(trainLoader.batchesPerEpoch() * epochs);
        if (s != null) trainer.schedule(s);
        if (patience > 0) trainer.earlyStopping(new EarlyStopping(patience, 1e-4));
        History history = trainer.fit(trainLoader, valLoader, epochs);

        DataLoader testLoader = DataLoader.builder(norm.apply(test)).batchSize(512).device(dev).build();
        Trainer.Evaluation result = Trainer.evaluate(net, testLoader, Losses::crossEntropy, 10);
        double secondsPerEpoch = history.epochs().stream().mapToDouble(History.Epoch::seconds).average().orElse(0);
        out.printf(Locale.ROOT, "test accuracy %.4f (loss %.4f) on %,d images; %.1f s per epoch on %s%n",
                result.accuracy(), result.loss(), result.examples(), secondsPerEpoch, dev);
        if (!lead) return 0;

        if (save != null) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("model", model.toString());
            meta.put("normalize_mean", Float.toString(norm.mean()[0]));
            meta.put("normalize_std", Float.toString(norm.std()[0]));
            meta.put("test_accuracy", String.format(Locale.ROOT, "%.4f", result.accuracy()));
            SafeTensors.save(save, net.stateDict(), meta);
            System.out.println("saved " + save);
        }
        if (historyCsv != null) {
            history.saveCsv(historyCsv);
            System.out.println("wrote " + historyCsv);
        }
        if (plot != null) {
            TrainingChart.draw(history, plot, model + " on Fashion-MNIST (" + dev + ")");
            System.out.println("wrote " + plot);
        }
        return 0;
    }

    Optimizer optimizer(Module net) {
        var params = net.parameters();
        return switch (optimizer) {
            case SGD -> new SGD(params, lr, 0f, weightDecay);
            case MOMENTUM -> new SGD(params, lr, momentum, weightDecay);
            case ADAGRAD -> new AdaGrad(params, lr, weightDecay);
            case RMSPROP -> new RMSProp(params, lr, 0.99f, weightDecay);
            case ADAM -> new Adam(params, lr, 0.9f, 0.999f, 1e-8f, weightDecay, false);
            case ADAMW -> new AdamW(params, lr, weightDecay);
        };
    }

    LrSchedule schedule(int totalSteps) {
        LrSchedule base = switch (schedule) {
            case NONE -> warmup > 0 ? LrSchedule.constant(lr) : null;
            case STEP -> LrSchedule.step(lr, Math.max(1, totalSteps / 3), 0.1f);
            case EXP -> LrSchedule.exponential(lr, (float) Math.pow(0.01, 1.0 / Math.max(1, totalSteps)));
            case COSINE -> LrSchedule.cosine(lr, Math.max(1, totalSteps - warmup), 0f);
        };
        return base == null ? null : warmup > 0 ? LrSchedule.warmup(warmup, base) : base;
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
