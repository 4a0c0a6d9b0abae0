package dev.jgrad.bench.compare;

import dev.jgrad.cli.charts.ChartStyle;
import dev.jgrad.cli.charts.Png;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;

/**
 * The two PNG bar charts of a {@link BenchReport}, drawn with XChart (through jgrad-cli's charts);
 * kept apart so that a runtime without java.desktop still writes the tables.
 */
final class BenchCharts {
    /** One colour per engine of {@link BenchMain#ENGINES}, in that order, so an engine keeps its colour from chart to chart. */
    static final Color[] COLORS = {new Color(150, 150, 150), new Color(31, 119, 180), new Color(44, 160, 44),
            new Color(255, 127, 14), new Color(188, 189, 34), new Color(214, 39, 40), new Color(148, 103, 189)};
    static final Color FASTER = COLORS[2], SLOWER = COLORS[5];
    static final int HEIGHT = 620;
    private final BenchReport report;

    BenchCharts(BenchReport report) {
        this.report = report;
    }

    /** One group per workload, one bar per engine: its speed as a fraction of the fastest engine on that workload. */
    void engines(Path file) throws IOException {
        List<String> cols = report.columns();
        List<Workload> rows = Workload.engineWorkloads().stream()
                .filter(w -> cols.stream().filter(c -> !Double.isNaN(report.rate(c, w))).count() >= 2).toList();
        CategoryChart chart = chart(Math.max(900, 160 + rows.size() * (9 * cols.size() + 14)),
                "Speed relative to the fastest engine on each workload (taller is faster; same run)",
                "speed relative to the fastest (= 1)");
        CategoryStyler s = chart.getStyler();
        s.setYAxisMin(0.0).setYAxisMax(1.0);
        s.setYAxisDecimalPattern("0.0");
        s.setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setAvailableSpaceFill(0.85);
        List<String> ids = rows.stream().map(Workload::id).toList();
        for (String c : cols) {
            List<Double> share = new ArrayList<>();
            for (Workload w : rows) {
                double r = report.rate(c, w) / fastest(w);
                share.add(Double.isNaN(r) ? null : r);   // XChart leaves the slot empty
            }
            if (share.stream().allMatch(v -> v == null)) continue;
            CategorySeries series = chart.addSeries(c, ids, share);
            series.setFillColor(COLORS[BenchMain.ENGINES.indexOf(c) % COLORS.length]);
        }
        Png.write(chart, file);
    }

    /** vectorized ÷ looped per workload, on a log scale: green where the vectorized kernels are faster, red where slower. */
    void vectorization(Path file) throws IOException {
        List<Workload> rows = Workload.engineWorkloads().stream()
                .filter(w -> !Double.isNaN(speedup(w))).toList();
        CategoryChart chart = chart(Math.max(900, 160 + rows.size() * 34),
                "jgrad: vectorized (Vector API, both cores) over looped (scalar reference), log scale",
                "vectorized speed / looped speed");
        CategoryStyler s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setYAxisLogarithmic(true);
        s.setOverlapped(true);   // one bar per workload: one of the two series is NaN there
        s.setYAxisDecimalPattern("0.##'x'");
        double lo = rows.stream().mapToDouble(this::speedup).min().orElse(1), hi = rows.stream().mapToDouble(this::speedup).max().orElse(10);
        // bars grow from the axis' floor: 1x when nothing is slower, so a bar's height is its speed-up
        double floor = lo >= 1 ? 1 : Math.pow(10, Math.floor(Math.log10(lo)));
        s.setYAxisMin(floor).setYAxisMax(Math.max(10, Math.pow(10, Math.ceil(Math.log10(hi)))));
        if (floor < 1) chart.addAnnotation(new AnnotationLine(1, false, false));
        List<String> ids = rows.stream().map(Workload::id).toList();
        List<Double> faster = new ArrayList<>(), slower = new ArrayList<>();
        for (Workload w : rows) {
            double r = speedup(w);
            faster.add(r >= 1 ? r : Double.NaN);   // a log axis takes NaN for "no bar", not null
            slower.add(r >= 1 ? Double.NaN : r);
        }
        chart.addSeries("vectorized faster", ids, faster).setFillColor(FASTER);
        if (slower.stream().anyMatch(v -> !v.isNaN())) chart.addSeries("vectorized slower", ids, slower).setFillColor(SLOWER);
        Png.write(chart, file);
    }

    private double fastest(Workload w) {
        return report.columns().stream().mapToDouble(c -> report.rate(c, w)).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
    }

    private double speedup(Workload w) {
        return report.rate(BenchReport.JGRAD, w) / report.rate("jgrad-looped", w);
    }

    private static CategoryChart chart(int width, String title, String yTitle) {
        Png.headless();
        CategoryChart chart = new CategoryChartBuilder().width(width).height(HEIGHT).title(title)
                .xAxisTitle("workload").yAxisTitle(yTitle).build();
        CategoryStyler s = ChartStyle.apply(chart.getStyler());
        s.setXAxisLabelRotation(90);
        s.setXAxisLabelAlignmentVertical(AxesChartStyler.TextAlignment.Right);   // against the axis, not centred in the space
        s.setPlotGridVerticalLinesVisible(false);
        s.setLabelsVisible(false);   // the values are in the report's tables
        return chart;
    }
}
