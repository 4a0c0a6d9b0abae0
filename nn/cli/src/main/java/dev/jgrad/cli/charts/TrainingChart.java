package dev.jgrad.cli.charts;

import dev.jgrad.nn.train.History;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A PNG line chart of a {@link History}, drawn with XChart: per epoch, the training and validation
 * loss on the left and the training and validation accuracy on the right. A run without accuracy
 * (every epoch's accuracy NaN, as for regression) gets the loss panel alone, the full width; a run
 * without validation gets no validation lines. Epochs with a non-finite value leave a gap.
 */
public final class TrainingChart {
    /** The default picture size, in pixels. */
    public static final int WIDTH = 1000, HEIGHT = 400;

    private TrainingChart() {}

    /** {@link #draw(History, Path, String, int, int)} at {@link #WIDTH} x {@link #HEIGHT}. */
    public static void draw(History history, Path file, String title) throws IOException {
        draw(history, file, title, WIDTH, HEIGHT);
    }

    /**
     * Writes the chart of {@code history} to {@code file} (through a temporary file renamed into
     * place), {@code width x height} pixels, titled {@code title}.
     *
     * @throws IllegalArgumentException if the history has no epochs or the size is not positive
     */
    public static void draw(History history, Path file, String title, int width, int height) throws IOException {
        List<History.Epoch> epochs = history.epochs();
        if (epochs.isEmpty()) throw new IllegalArgumentException("TrainingChart: the history of '" + title + "' has no epochs");
        if (width < 200 || height < 150)
            throw new IllegalArgumentException("TrainingChart: the picture must be at least 200 x 150 pixels, got " + width + " x " + height);
        Png.headless();
        boolean accuracy = anyFinite(epochs, History.Epoch::trainAccuracy) || anyFinite(epochs, History.Epoch::valAccuracy);
        List<XYChart> panels = new ArrayList<>();
        int lossWidth = accuracy ? width / 2 : width;
        panels.add(panel(epochs, title + ": loss", "loss", lossWidth, height,
                History.Epoch::trainLoss, History.Epoch::valLoss, Styler.LegendPosition.InsideNE));
        if (accuracy)
            panels.add(panel(epochs, title + ": accuracy", "accuracy", width - lossWidth, height,
                    History.Epoch::trainAccuracy, History.Epoch::valAccuracy, Styler.LegendPosition.InsideSE));
        Png.writeRow(panels, file);
    }

    private static XYChart panel(List<History.Epoch> epochs, String title, String metric, int width, int height,
                                 ToDoubleFunction<History.Epoch> train, ToDoubleFunction<History.Epoch> val,
                                 Styler.LegendPosition legend) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle("epoch").yAxisTitle(metric).build();
        ChartStyle.apply(chart.getStyler()).setLegendPosition(legend);
        chart.getStyler().setMarkerSize(6);
        // whole epochs only: XChart places ticks at round numbers, which for a few epochs include halves
        chart.setCustomXAxisTickLabelsFormatter(x -> x == Math.rint(x) ? Long.toString(Math.round(x)) : "");
        double[] x = epochs.stream().mapToDouble(History.Epoch::epoch).toArray();
        add(chart, "train", x, epochs, train, ChartStyle.PALETTE[0]);
        if (anyFinite(epochs, val)) add(chart, "validation", x, epochs, val, ChartStyle.PALETTE[1]);
        return chart;
    }

    private static void add(XYChart chart, String name, double[] x, List<History.Epoch> epochs,
                            ToDoubleFunction<History.Epoch> metric, Color color) {
        // XChart leaves a gap at NaN; infinities would stretch the axis, so they become gaps too
        double[] y = epochs.stream().mapToDouble(metric).map(v -> Double.isFinite(v) ? v : Double.NaN).toArray();
        var s = chart.addSeries(name, x, y);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    private static boolean anyFinite(List<History.Epoch> epochs, ToDoubleFunction<History.Epoch> metric) {
        return epochs.stream().mapToDouble(metric).anyMatch(Double::isFinite);
    }
}
