package dev.jgrad.cli;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.CsvTable;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.Splits;
import dev.jgrad.nn.data.Standardizer;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.train.History;
import dev.jgrad.nn.train.LeastSquares;
import dev.jgrad.nn.train.RegressionScores;
import dev.jgrad.nn.train.Trainer;
import dev.jgrad.nn.train.TrainingListener;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * {@code jgrad train --csv FILE --target COL}: tabular regression with k-fold cross-validation.
 * The rows are shuffled once (seeded) and cut into {@code --folds} folds whose sizes differ by at
 * most one. For each fold, the other folds are the training split: the feature standardisation
 * and the target's mean and std are fitted on it alone, an MLP ({@code --hidden} units, ReLU; 0:
 * a linear layer) trains on it with the {@link Trainer} (MSE loss, metrics MSE, RMSE, MAE, R²),
 * and the held-out fold is scored in the target's own units. The same folds score ordinary least
 * squares ({@link LeastSquares}, in double) as the baseline. The report is the mean and std over
 * folds of each score, for both.
 */
final class CsvRegression {
    private final TrainCommand o;

    CsvRegression(TrainCommand options) {
        this.o = options;
    }

    /** One fold's held-out scores for the network and the baseline. */
    record Fold(RegressionScores net, RegressionScores linear) {}

    int run(Device dev) {
        Standardizer.Missing missing = switch (o.impute) {
            case "reject" -> Standardizer.Missing.REJECT;
            case "mean" -> Standardizer.Missing.MEAN;
            default -> throw new IllegalStateException(o.impute);
        };
        CsvTable.Table table = CsvTable.read(o.csv).select(o.target, o.features == null ? List.of() : Arrays.asList(o.features));
        int n = table.rows();
        if (n < 2L * o.folds)
            throw new IllegalArgumentException("CSV " + o.csv + ": " + n + " rows are too few for " + o.folds + " folds of at least 2");
        System.out.printf(Locale.ROOT, "regression of '%s' on %d features (%s) from %s: %d rows, %d-fold cross-validation%n",
                table.target(), table.features().size(), String.join(", ", table.features()), o.csv, n, o.folds);
        System.out.printf(Locale.ROOT, "model: %s, %d epochs, batch %d, %s lr %g on %s; baseline: least squares%n",
                o.hidden == 0 ? "linear layer" : "MLP " + table.features().size() + "-" + o.hidden + "-1 (ReLU)",
                o.epochs, o.batchSize, o.optimizer, o.lr, dev);

        int[] perm = Splits.permutation(n, new Generator(o.seed));
        List<Fold> folds = new ArrayList<>();
        for (int k = 0; k < o.folds; k++) {
            int from = (int) ((long) n * k / o.folds), to = (int) ((long) n * (k + 1) / o.folds);
            int[] test = Arrays.copyOfRange(perm, from, to), train = new int[n - test.length];
            System.arraycopy(perm, 0, train, 0, from);
            System.arraycopy(perm, to, train, from, n - to);
            Fold f = fold(k, table.rows(train), table.rows(test), missing, dev);
            System.out.printf(Locale.ROOT, "fold %d/%d (%d train, %d held out): %s RMSE %.3f MAE %.3f R² %.3f | least squares RMSE %.3f MAE %.3f R² %.3f%n",
                    k + 1, o.folds, train.length, test.length, label(), f.net.rmse(), f.net.mae(), f.net.r2(),
                    f.linear.rmse(), f.linear.mae(), f.linear.r2());
            folds.add(f);
        }
        report(label(), folds.stream().map(Fold::net).toList());
        report("linear regression", folds.stream().map(Fold::linear).toList());
        return 0;
    }

    /** The trained model's name in the report. */
    private String label() {
        return o.hidden == 0 ? "linear layer" : "MLP";
    }

    private Fold fold(int k, CsvTable.Table train, CsvTable.Table test, Standardizer.Missing missing, Device dev) {
        Standardizer z = Standardizer.fit(train, missing);
        double yMean = Arrays.stream(train.y()).average().orElseThrow();
        double yStd = Math.sqrt(Arrays.stream(train.y()).map(v -> (v - yMean) * (v - yMean)).sum() / train.rows());
        double yScale = yStd > 0 ? yStd : 1;

        LeastSquares ls = LeastSquares.fit(z.transform(train), train.y());
        RegressionScores linear = RegressionScores.of(ls.predict(z.transform(test)), test.y());

        int d = train.features().size();
        float[] yTrain = new float[train.rows()];
        for (int i = 0; i < yTrain.length; i++) yTrain[i] = (float) ((train.y()[i] - yMean) / yScale);
        Init.manualSeed(o.seed + k);
        Module net = (o.hidden == 0 ? new Sequential(new Linear(d, 1))
                : new Sequential(new Linear(d, o.hidden), Activation.relu(), new Linear(o.hidden, 1))).to(dev);
        Optimizer opt = o.optimizer(net);
        if (o.clipNorm > 0) opt.clipGradNorm(o.clipNorm);
        DataLoader loader = DataLoader.builder(new ArrayDataset(z.transformFlat(train), yTrain, d)).batchSize(o.batchSize)
                .shuffle(new Generator(o.seed + 100 + k)).device(dev).build();
        BiFunction<Tensor, Tensor, Tensor> mse = (out, y) -> Losses.mse(out, y.reshape(-1, 1));
        Trainer trainer = new Trainer(net, opt, mse).listener(new Every(k));
        LrSchedule s = o.schedule(loader.batchesPerEpoch() * o.epochs);
        if (s != null) trainer.schedule(s);
        trainer.fit(loader, null, o.epochs);

        net.eval();
        double[] predicted = new double[test.rows()];
        try (GradMode.Scope noGrad = GradMode.disable(); MemoryScope scope = MemoryScope.open()) {
            float[] out = net.forward(Tensor.of(dev, z.transformFlat(test), test.rows(), d)).reshape(test.rows()).toArray();
            for (int i = 0; i < out.length; i++) predicted[i] = out[i] * yScale + yMean;
        }
        return new Fold(RegressionScores.of(predicted, test.y()), linear);
    }

    private static void report(String what, List<RegressionScores> s) {
        System.out.printf(Locale.ROOT, "%-18s cross-validated RMSE %.3f ± %.3f, MAE %.3f ± %.3f, R² %.3f ± %.3f, MSE %.1f ± %.1f%n", what,
                mean(s, RegressionScores::rmse), std(s, RegressionScores::rmse), mean(s, RegressionScores::mae), std(s, RegressionScores::mae),
                mean(s, RegressionScores::r2), std(s, RegressionScores::r2), mean(s, RegressionScores::mse), std(s, RegressionScores::mse));
    }

    private static double mean(List<RegressionScores> s, java.util.function.ToDoubleFunction<RegressionScores> f) {
        return s.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    /** The sample std over folds. */
    private static double std(List<RegressionScores> s, java.util.function.ToDoubleFunction<RegressionScores> f) {
        double m = mean(s, f);
        return s.size() < 2 ? 0 : Math.sqrt(s.stream().mapToDouble(f).map(v -> (v - m) * (v - m)).sum() / (s.size() - 1));
    }

    /** The training curve of a fold, on the standardised target: its first epoch and every quarter of the run. */
    private final class Every implements TrainingListener {
        private final int fold;

        Every(int fold) {
            this.fold = fold;
        }

        @Override
        public void onEpochEnd(EpochEvent e) {
            History.Epoch r = e.result();
            int q = Math.max(1, e.epochs() / 4);
            if (r.epoch() != 1 && r.epoch() % q != 0 && r.epoch() != e.epochs()) return;
            StringBuilder m = new StringBuilder();
            r.train().forEach((name, v) -> m.append(String.format(Locale.ROOT, " %s %.4f", name, v)));
            System.out.printf(Locale.ROOT, "  fold %d epoch %d/%d: train loss %.4f%s (standardised target)%n",
                    fold + 1, r.epoch(), e.epochs(), r.trainLoss(), m);
        }
    }
}
