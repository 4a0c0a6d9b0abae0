package dev.jgrad.cli.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.Locale;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.lines.SeriesLines;

/** The look jgrad's charts share: white background, light grid, plain sans-serif text, one palette. */
public final class ChartStyle {
    private ChartStyle() {}

    /** Series colours, in order (the usual ten-colour categorical palette's first seven). */
    public static final Color[] PALETTE = {
            new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
            new Color(148, 103, 189), new Color(140, 86, 75), new Color(127, 127, 127)};

    /** Applies the shared look to {@code s} and returns it. */
    public static <S extends AxesChartStyler> S apply(S s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(Color.DARK_GRAY);
        s.setPlotGridLinesColor(new Color(225, 225, 225));
        s.setLegendBorderColor(Color.LIGHT_GRAY);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLocale(Locale.ROOT);
        s.setSeriesColors(PALETTE);
        s.setSeriesLines(new BasicStroke[] {SeriesLines.SOLID});   // XChart would dash every other series
        s.setAntiAlias(true);
        return s;
    }
}
