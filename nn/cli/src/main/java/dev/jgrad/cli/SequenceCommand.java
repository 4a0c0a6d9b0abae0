package dev.jgrad.cli;

import dev.jgrad.cli.charts.ChartStyle;
import dev.jgrad.cli.charts.Png;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.Batch;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.Series;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.train.Forecast;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code jgrad sequence}: the course's autoregression. A noisy sine of 1,000 steps, an MLP from the
 * past {@code tau} values to the next, trained on the first 600 windows in time order; then the
 * 1-step prediction on the rest and the k-step-ahead predictions (predictions fed back as inputs)
 * for the horizons asked, with their mean squared errors, and a chart of them against the data.
 */
@Command(name = "sequence", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Autoregression on the course's noisy sine: train an MLP on the past tau values, then predict 1, 4, 16, 64 steps ahead.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Cli.EXIT_CODES_0, Cli.EXIT_CODES_1, Cli.EXIT_CODES_2})
final class SequenceCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--steps", paramLabel = "T", defaultValue = "1000", description = "length of the series (default: ${DEFAULT-VALUE})")
    int steps;
    @Option(names = "--tau", paramLabel = "TAU", defaultValue = "4", description = "past values the model sees (default: ${DEFAULT-VALUE})")
    int tau;
    @Option(names = "--train", paramLabel = "N", defaultValue = "600", description = "windows to train on, the earliest (default: ${DEFAULT-VALUE})")
    int train;
    @Option(names = "--hidden", paramLabel = "H", defaultValue = "10", description = "hidden units of the MLP (default: ${DEFAULT-VALUE})")
    int hidden;
    @Option(names = "--epochs", paramLabel = "E", defaultValue = "5", description = "(default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0.01", description = "Adam's learning rate (default: ${DEFAULT-VALUE})")
    float lr;
    @Option(names = "--horizons", paramLabel = "K", split = ",", defaultValue = "1,4,16,64", description = "k-step-ahead horizons to predict (default: ${DEFAULT-VALUE})")
    int[] horizons;
    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42", description = "(default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto", description = "auto, cpu, cuda, or a kernel set such as cpu-looped (default: ${DEFAULT-VALUE})")
    String device;
    @Option(names = "--plot", paramLabel = "FILE.png", description = "write the data and the k-step predictions as a PNG chart (default: none)")
    Path plot;

    /** What a run measured: the final training loss, the 1-step test MSE and the MSE per horizon (over every predicted step). */
    record Result(double trainLoss, double testMse, int[] horizons, double[] horizonMse) {}

    @Override
    public Integer call() throws Exception {
        Checks check = new Checks(spec);
        check.atLeast("--tau", tau, 1);
        check.atLeast("--hidden", hidden, 1);
        check.atLeast("--epochs", epochs, 1);
        check.positive("--lr", lr);
        if (horizons.length == 0) throw check.usage("--horizons needs at least one horizon");
        int maxK = 0;
        for (int k : horizons) {
            check.atLeast("--horizons", k, 1);
            maxK = Math.max(maxK, k);
        }
        if (train < 1 || train >= steps - tau - maxK)
            throw check.usage("--train " + train + " must leave test windows: between 1 and " + (steps - tau - maxK - 1)
                    + " for --steps " + steps + ", --tau " + tau + " and a largest horizon of " + maxK);
        if (plot != null) check.output("--plot", plot);
        Device dev = check.device("--device", device);
        Result r = run(dev);
        System.out.printf(Locale.ROOT, "final train loss %.4f, 1-step test MSE %.4f%n", r.trainLoss, r.testMse);
        for (int i = 0; i < r.horizons.length; i++)
            System.out.printf(Locale.ROOT, "%d-step-ahead MSE %.4f%n", r.horizons[i], r.horizonMse[i]);
        return 0;
    }

    Result run(Device dev) throws Exception {
        float[] x = Series.noisySine(steps, seed);
        ArrayDataset all = Series.windows(x, tau, 1);
        ArrayDataset trainSet = Series.head(all, train), testSet = Series.tail(all, train);
        Init.manualSeed(seed);
        Module net = new Sequential(new Linear(tau, hidden), Activation.relu(), new Linear(hidden, 1)).to(dev);
        Adam opt = new Adam(net.parameters(), lr);
        DataLoader loader = DataLoader.builder(trainSet).batchSize(16).shuffle(new Generator(seed)).device(dev).build();
        double loss = Double.NaN;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            double sum = 0;
            int n = 0;
            for (Batch batch : loader) {
                try (Batch b = batch; MemoryScope scope = MemoryScope.open()) {
                    Tensor l = Losses.mse(net.forward(b.x()), b.y().reshape(-1, 1));
                    opt.zeroGrad();
                    l.backward();
                    opt.step();
                    sum += l.item() * b.size();
                    n += b.size();
                }
            }
            loss = sum / n;
            System.out.printf(Locale.ROOT, "epoch %d, train loss %.4f%n", epoch, loss);
        }
        net.eval();
        float[] oneStep = Forecast.kStepAhead(net, java.util.Arrays.copyOfRange(x, train, x.length), tau, 1, dev)[0];
        double testMse = Forecast.mse(oneStep, x, train + tau);
        int maxK = java.util.Arrays.stream(horizons).max().orElseThrow();
        float[][] table = Forecast.kStepAhead(net, x, tau, maxK, dev);
        double[] mse = new double[horizons.length];
        for (int i = 0; i < horizons.length; i++) mse[i] = Forecast.mse(table[horizons[i] - 1], x, tau + horizons[i] - 1);
        if (plot != null) chart(x, table, plot);
        return new Result(loss, testMse, horizons.clone(), mse);
    }

    private void chart(float[] x, float[][] table, Path file) throws Exception {
        Png.headless();
        XYChart c = new XYChartBuilder().width(900).height(420).title("k-step-ahead predictions of the noisy sine (tau " + tau + ")")
                .xAxisTitle("time step").yAxisTitle("x").build();
        ChartStyle.apply(c.getStyler()).setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        add(c, "data", x, 1, 0);
        for (int i = 0; i < horizons.length; i++) {
            int k = horizons[i];
            add(c, k + "-step", table[k - 1], tau + k, 1 + i);
        }
        Png.write(c, file);
        System.out.println("wrote " + file);
    }

    /** One line of {@code y} against time steps from {@code firstStep}, in palette colour {@code color}. */
    static void add(XYChart c, String name, float[] y, int firstStep, int color) {
        double[] t = new double[y.length], v = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            t[i] = firstStep + i;
            v[i] = y[i];
        }
        XYSeries s = c.addSeries(name, t, v);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(ChartStyle.PALETTE[color % ChartStyle.PALETTE.length]);
    }
}
