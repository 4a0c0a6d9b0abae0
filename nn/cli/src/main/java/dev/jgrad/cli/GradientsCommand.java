package dev.jgrad.cli;

import dev.jgrad.cli.charts.ChartStyle;
import dev.jgrad.cli.charts.Png;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.BatchNorm1d;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.optim.SGD;
import dev.jgrad.nn.train.GradientNorms;
import dev.jgrad.nn.train.History;
import dev.jgrad.nn.train.Trainer;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jgrad gradients}: vanishing gradients, measured. A deep MLP of sigmoid layers is trained
 * by plain SGD on a synthetic 4-class problem (Gaussian blobs in 20 dims) four ways: PyTorch's
 * default initialisation or N(0, 1) weights, each without and with batch norm before every
 * sigmoid. A {@link GradientNorms} listener records each layer's weight-gradient norm per epoch;
 * the command prints, per run, the norms of the first and last layer and their ratio, and the
 * final training accuracy, and draws each run's norms by depth.
 */
@Command(name = "gradients", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Vanishing gradients, measured: a deep sigmoid MLP with and without batch norm, two initialisations; per-layer gradient norms per epoch.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Cli.EXIT_CODES_0, Cli.EXIT_CODES_1, Cli.EXIT_CODES_2})
final class GradientsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--layers", paramLabel = "L", defaultValue = "10", description = "sigmoid layers (default: ${DEFAULT-VALUE})")
    int layers;
    @Option(names = "--width", paramLabel = "W", defaultValue = "64", description = "units per layer (default: ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--epochs", paramLabel = "E", defaultValue = "5", description = "(default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--examples", paramLabel = "N", defaultValue = "2000", description = "training examples (default: ${DEFAULT-VALUE})")
    int examples;
    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0.1", description = "SGD learning rate (default: ${DEFAULT-VALUE})")
    float lr;
    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42", description = "(default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto", description = "auto, cpu, cuda, or a kernel set such as cpu-looped (default: ${DEFAULT-VALUE})")
    String device;
    @Option(names = "--plot", paramLabel = "FILE.png", description = "draw each run's per-layer gradient norms by epoch (default: none)")
    Path plot;

    static final int FEATURES = 20, CLASSES = 4;

    /** One run: its name, the per-epoch per-layer norms (input side first) and its final training accuracy. */
    record Run(String name, List<double[]> norms, double accuracy) {}

    @Override
    public Integer call() throws Exception {
        Checks check = new Checks(spec);
        check.atLeast("--layers", layers, 2);
        check.atLeast("--width", width, 1);
        check.atLeast("--epochs", epochs, 1);
        check.atLeast("--examples", examples, CLASSES);
        check.positive("--lr", lr);
        if (plot != null) check.output("--plot", plot);
        Device dev = check.device("--device", device);
        ArrayDataset data = blobs(examples, seed);
        List<Run> runs = new ArrayList<>();
        for (boolean normalInit : new boolean[] {false, true})
            for (boolean bn : new boolean[] {false, true})
                runs.add(run(data, normalInit, bn, dev));
        System.out.printf(Locale.ROOT, "%-28s %14s %14s %12s %9s%n", "run (last epoch)", "layer 1 |grad|", "layer " + layers + " |grad|",
                "ratio", "train acc");
        for (Run r : runs) {
            double[] last = r.norms.get(r.norms.size() - 1);
            System.out.printf(Locale.ROOT, "%-28s %14.3e %14.3e %12.3e %9.4f%n", r.name, last[0], last[layers - 1],
                    last[0] / last[layers - 1], r.accuracy);
        }
        if (plot != null) chart(runs, plot);
        return 0;
    }

    /** 4 Gaussian blobs in 20 dims: class means N(0, 1), points mean + N(0, 1). */
    static ArrayDataset blobs(int n, long seed) {
        Generator g = new Generator(seed);
        float[] means = Tensor.randn(g, CLASSES, FEATURES).toArray(), noise = Tensor.randn(g, n, FEATURES).toArray();
        float[] x = new float[n * FEATURES], y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = i % CLASSES;
            y[i] = c;
            for (int j = 0; j < FEATURES; j++) x[i * FEATURES + j] = means[c * FEATURES + j] + noise[i * FEATURES + j];
        }
        return new ArrayDataset(x, y, FEATURES);
    }

    Run run(ArrayDataset data, boolean normalInit, boolean bn, Device dev) {
        Init.manualSeed(seed);
        List<Module> parts = new ArrayList<>();
        Map<String, Parameter> watched = new LinkedHashMap<>();
        for (int k = 0; k < layers; k++) {
            Linear lin = new Linear(k == 0 ? FEATURES : width, width);
            if (normalInit)
                try (GradMode.Scope ignored = GradMode.disable()) {
                    lin.weight.value().copyFrom(Init.normal(1f, lin.weight.shape()));
                }
            watched.put("layer " + (k + 1), lin.weight);
            parts.add(lin);
            if (bn) parts.add(new BatchNorm1d(width));
            parts.add(Activation.sigmoid());
        }
        parts.add(new Linear(width, CLASSES));
        Module net = new Sequential(parts.toArray(new Module[0])).to(dev);
        GradientNorms norms = new GradientNorms(watched);
        Trainer t = new Trainer(net, new SGD(net.parameters(), lr), Losses::crossEntropy).listener(norms)
                .output(new PrintStream(OutputStream.nullOutputStream()), false);
        DataLoader loader = DataLoader.builder(data).batchSize(64).shuffle(new Generator(seed)).device(dev).build();
        History h = t.fit(loader, null, epochs);
        History.Epoch last = h.epochs().get(h.epochs().size() - 1);
        String name = (normalInit ? "N(0, 1) init" : "default init") + (bn ? ", batch norm" : "");
        return new Run(name, norms.perEpoch(), last.trainAccuracy());
    }

    private void chart(List<Run> runs, Path file) throws Exception {
        Png.headless();
        // one y range, whole decades, for every panel: the runs compare at a glance
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (Run r : runs)
            for (double[] e : r.norms)
                for (double v : e)
                    if (v > 0) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
        double yMin = Math.pow(10, Math.floor(Math.log10(lo))), yMax = Math.pow(10, Math.ceil(Math.log10(hi)));
        List<XYChart> panels = new ArrayList<>();
        for (Run r : runs) {
            XYChart c = new XYChartBuilder().width(380).height(340).title(r.name).xAxisTitle("layer (input side = 1)")
                    .yAxisTitle("|weight gradient|").build();
            ChartStyle.apply(c.getStyler()).setLegendPosition(Styler.LegendPosition.InsideNW);
            c.getStyler().setYAxisLogarithmic(true);
            if (hi > 0) {
                c.getStyler().setYAxisMin(yMin);
                c.getStyler().setYAxisMax(yMax);
            }
            double[] x = new double[layers];
            for (int k = 0; k < layers; k++) x[k] = k + 1;
            for (int e = 0; e < r.norms.size(); e++) {
                if (e != 0 && e != r.norms.size() - 1 && r.norms.size() > 3 && e != r.norms.size() / 2) continue;
                double[] y = r.norms.get(e).clone();
                for (int k = 0; k < y.length; k++) if (!(y[k] > 0)) y[k] = Double.NaN;   // a log axis cannot show 0
                XYSeries s = c.addSeries("epoch " + (e + 1), x, y);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setLineColor(ChartStyle.PALETTE[e % ChartStyle.PALETTE.length]);
                s.setMarkerColor(ChartStyle.PALETTE[e % ChartStyle.PALETTE.length]);
            }
            panels.add(c);
        }
        Png.writeRow(panels, file);
        System.out.println("wrote " + file);
    }
}
