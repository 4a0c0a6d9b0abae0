package dev.jgrad.cli;

import dev.jgrad.cli.charts.ChartStyle;
import dev.jgrad.cli.charts.Png;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.data.Series;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.GRU;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.train.Forecast;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code jgrad latent}: latent-variable autoregression against plain autoregression. On a noisy
 * sine whose speed drifts ({@link Series#driftingSine}), a GRU whose hidden state summarises the
 * whole past and an MLP on the last {@code tau} values, with (nearly) the same number of
 * parameters, learn to predict the next value from the first {@code --train} steps. Both get the
 * same number of Adam updates on batches of 16 (the MLP: 16 windows; the GRU: 16 random chunks of
 * {@code --chunk} steps, backprop through time over each chunk from a zero state, with gradient
 * clipping). They are then scored on the 1-step predictions of every later value: the GRU runs over
 * the whole series from its start, as a filter would.
 */
@Command(name = "latent", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Latent-variable autoregression: a GRU against an MLP of the same size on a sine whose phase drifts.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Cli.EXIT_CODES_0, Cli.EXIT_CODES_1, Cli.EXIT_CODES_2})
final class LatentCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--steps", paramLabel = "T", defaultValue = "2000", description = "length of the series (default: ${DEFAULT-VALUE})")
    int steps;
    @Option(names = "--train", paramLabel = "N", defaultValue = "1400", description = "first steps to train on; the rest are the test (default: ${DEFAULT-VALUE})")
    int train;
    @Option(names = "--tau", paramLabel = "TAU", defaultValue = "16", description = "past values the MLP sees (default: ${DEFAULT-VALUE})")
    int tau;
    @Option(names = "--hidden", paramLabel = "H", defaultValue = "16", description = "the GRU's hidden size; the MLP's is chosen to match its parameter count (default: ${DEFAULT-VALUE})")
    int hidden;
    @Option(names = "--chunk", paramLabel = "L", defaultValue = "50", description = "steps of backprop through time per GRU example (default: ${DEFAULT-VALUE})")
    int chunk;
    @Option(names = "--updates", paramLabel = "U", defaultValue = "1500", description = "Adam updates for each model (default: ${DEFAULT-VALUE})")
    int updates;
    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0.01", description = "Adam's learning rate (default: ${DEFAULT-VALUE})")
    float lr;
    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42", description = "(default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto", description = "auto, cpu, cuda, or a kernel set such as cpu-looped (default: ${DEFAULT-VALUE})")
    String device;
    @Option(names = "--plot", paramLabel = "FILE.png", description = "write the first 200 test steps with both models' 1-step predictions as a PNG chart (default: none)")
    Path plot;

    static final int BATCH = 16, LOG_EVERY = 50;

    /** What a run measured: parameter counts, 1-step test MSEs, and the training loss every {@link #LOG_EVERY} updates. */
    record Result(long gruParams, long mlpParams, int mlpHidden, double gruTestMse, double mlpTestMse,
                  double[] gruLoss, double[] mlpLoss, float[] series, float[] gruPred, float[] mlpPred) {}

    @Override
    public Integer call() throws Exception {
        Checks check = new Checks(spec);
        check.atLeast("--tau", tau, 1);
        check.atLeast("--hidden", hidden, 1);
        check.atLeast("--chunk", chunk, 2);
        check.atLeast("--updates", updates, 1);
        check.positive("--lr", lr);
        int need = Math.max(tau, chunk) + 1;
        if (train < need || train >= steps)
            throw check.usage("--train " + train + " must be at least " + need + " (a window of --tau or a --chunk and its label)"
                    + " and below --steps " + steps + " (to leave a test)");
        if (plot != null) check.output("--plot", plot);
        Device dev = check.device("--device", device);
        Result r = run(dev);
        System.out.println("updates   GRU train loss   MLP train loss   (mean over the last " + LOG_EVERY + " updates)");
        for (int i = 0; i < r.gruLoss.length; i++)
            if ((i + 1) % 5 == 0 || i == r.gruLoss.length - 1)
                System.out.printf(Locale.ROOT, "%7d   %14.4f   %14.4f%n", Math.min(updates, (i + 1) * LOG_EVERY), r.gruLoss[i], r.mlpLoss[i]);
        System.out.printf(Locale.ROOT, "GRU (hidden %d, %d parameters): 1-step test MSE %.4f%n", hidden, r.gruParams, r.gruTestMse);
        System.out.printf(Locale.ROOT, "MLP (tau %d, hidden %d, %d parameters): 1-step test MSE %.4f%n", tau, r.mlpHidden, r.mlpParams, r.mlpTestMse);
        System.out.printf(Locale.ROOT, "observation noise alone: MSE 0.0400; the GRU's test MSE is %.2fx the MLP's%n", r.gruTestMse / r.mlpTestMse);
        if (plot != null) chart(r, plot);
        return 0;
    }

    /** The MLP's hidden width whose parameter count {@code (tau + 2) H + 1} comes nearest the GRU's. */
    static int matchingMlpHidden(long gruParams, int tau) {
        return (int) Math.max(1, Math.round((gruParams - 1) / (double) (tau + 2)));
    }

    Result run(Device dev) {
        float[] x = Series.driftingSine(steps, seed);
        Init.manualSeed(seed);
        GRU gru = new GRU(1, hidden);
        Linear head = new Linear(hidden, 1);
        long gruParams = count(gru) + count(head);
        int mlpHidden = matchingMlpHidden(gruParams, tau);
        Module mlp = new Sequential(new Linear(tau, mlpHidden), Activation.relu(), new Linear(mlpHidden, 1));
        gru.to(dev);
        head.to(dev);
        mlp.to(dev);
        double[] gruLoss = trainGru(gru, head, x, dev), mlpLoss = trainMlp(mlp, x, dev);

        float[] gruPred, mlpPred;
        try (GradMode.Scope noGrad = GradMode.disable()) {
            gru.eval();
            mlp.eval();
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor in = Tensor.of(dev, Arrays.copyOf(x, steps - 1), steps - 1, 1);     // unbatched (L, 1)
                float[] all = head.forward(gru.forward(in)).reshape(steps - 1).toArray();   // all[t - 1] predicts x[t]
                gruPred = Arrays.copyOfRange(all, train - 1, steps - 1);
            }
            int rows = steps - train;
            float[] windows = new float[rows * tau];
            for (int i = 0; i < rows; i++) System.arraycopy(x, train + i - tau, windows, i * tau, tau);
            try (MemoryScope scope = MemoryScope.open()) {
                mlpPred = mlp.forward(Tensor.of(dev, windows, rows, tau)).reshape(rows).toArray();
            }
        }
        return new Result(gruParams, count(mlp), mlpHidden, Forecast.mse(gruPred, x, train), Forecast.mse(mlpPred, x, train),
                gruLoss, mlpLoss, x, gruPred, mlpPred);
    }

    private double[] trainGru(GRU gru, Linear head, float[] x, Device dev) {
        java.util.List<Parameter> params = new java.util.ArrayList<>(gru.parameters());
        params.addAll(head.parameters());
        Adam opt = new Adam(params, lr);
        opt.clipGradNorm(1f);
        Generator g = new Generator(seed + 1);
        int starts = train - chunk;   // a chunk x[s .. s + chunk - 1] and its targets x[s + 1 .. s + chunk] lie inside the train part
        LossLog log = new LossLog(updates);
        for (int u = 0; u < updates; u++) {
            float[] in = new float[chunk * BATCH], target = new float[chunk * BATCH];
            int[] s = startsOf(g, starts + 1);
            for (int t = 0; t < chunk; t++)
                for (int b = 0; b < BATCH; b++) {
                    in[t * BATCH + b] = x[s[b] + t];
                    target[t * BATCH + b] = x[s[b] + t + 1];
                }
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor out = head.forward(gru.forward(Tensor.of(dev, in, chunk, BATCH, 1)));   // (L, N, 1)
                Tensor l = Losses.mse(out.reshape(-1, 1), Tensor.of(dev, target, chunk * BATCH, 1));
                opt.zeroGrad();
                l.backward();
                opt.step();
                log.add(u, l.item());
            }
        }
        return log.means;
    }

    private double[] trainMlp(Module mlp, float[] x, Device dev) {
        Adam opt = new Adam(mlp.parameters(), lr);
        Generator g = new Generator(seed + 2);
        int windows = train - tau;   // window x[i .. i + tau - 1] with label x[i + tau] < train
        LossLog log = new LossLog(updates);
        for (int u = 0; u < updates; u++) {
            float[] in = new float[BATCH * tau], target = new float[BATCH];
            int[] s = startsOf(g, windows);
            for (int b = 0; b < BATCH; b++) {
                System.arraycopy(x, s[b], in, b * tau, tau);
                target[b] = x[s[b] + tau];
            }
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor l = Losses.mse(mlp.forward(Tensor.of(dev, in, BATCH, tau)), Tensor.of(dev, target, BATCH, 1));
                opt.zeroGrad();
                l.backward();
                opt.step();
                log.add(u, l.item());
            }
        }
        return log.means;
    }

    /** The mean training loss over each run of {@link #LOG_EVERY} updates (the last run may be shorter). */
    private static final class LossLog {
        final double[] means;
        private final int updates;
        private double sum;
        private int count;

        LossLog(int updates) {
            this.updates = updates;
            this.means = new double[(updates + LOG_EVERY - 1) / LOG_EVERY];
        }

        void add(int update, double loss) {
            sum += loss;
            count++;
            if ((update + 1) % LOG_EVERY == 0 || update + 1 == updates) {
                means[update / LOG_EVERY] = sum / count;
                sum = 0;
                count = 0;
            }
        }
    }

    /** {@link #BATCH} uniform draws from {@code 0 .. bound - 1}. */
    private static int[] startsOf(Generator g, int bound) {
        float[] r = Tensor.rand(g, BATCH).toArray();
        int[] s = new int[BATCH];
        for (int b = 0; b < BATCH; b++) s[b] = Math.min(bound - 1, (int) (r[b] * bound));
        return s;
    }

    private static long count(Module m) {
        long n = 0;
        for (Parameter p : m.parameters()) n += p.value().numel();
        return n;
    }

    private void chart(Result r, Path file) throws Exception {
        Png.headless();
        XYChart c = new XYChartBuilder().width(900).height(420)
                .title(String.format(Locale.ROOT, "drifting sine, 1-step test predictions: GRU MSE %.4f, MLP MSE %.4f", r.gruTestMse, r.mlpTestMse))
                .xAxisTitle("time step").yAxisTitle("x").build();
        ChartStyle.apply(c.getStyler()).setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        int shown = Math.min(200, r.gruPred.length);
        SequenceCommand.add(c, "data", Arrays.copyOfRange(r.series, train, train + shown), train, 0);
        SequenceCommand.add(c, "GRU", Arrays.copyOf(r.gruPred, shown), train, 1);
        SequenceCommand.add(c, "MLP", Arrays.copyOf(r.mlpPred, shown), train, 2);
        Png.write(c, file);
        System.out.println("wrote " + file);
    }

}
