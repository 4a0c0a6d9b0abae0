package dev.jgrad.tests.train;

import dev.jgrad.engine.Device;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.train.History;
import dev.jgrad.nn.train.ProgressBar;
import dev.jgrad.nn.train.Trainer;
import dev.jgrad.nn.train.TrainingListener;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress bar never writes a line wider than its width, redraws only on a terminal, and reads COLUMNS. */
class ProgressBarTest {
    static final int EPOCHS = 3;

    private static String train(int width, boolean terminal) {
        Device d = Device.cpu();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        var model = Runs.mlpWithDropout(d, 1, 8);
        Trainer t = new Trainer(model, new Adam(model.parameters(), 0.01f), Losses::crossEntropy)
                .listener(new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), width, terminal));
        t.fit(Runs.shuffled(Runs.classification(80, 2), 8, 3, d), Runs.inOrder(Runs.classification(20, 4), 10, d), EPOCHS);
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** What a terminal shows as lines: the text between line feeds and carriage returns. */
    private static List<String> segments(String out) {
        return List.of(out.split("[\r\n]"));
    }

    @Test
    void onATerminalNoLineReachesTheLastColumn() {
        for (int width : new int[] {12, 30, 52, 80, 200}) {
            String out = train(width, true);
            for (String s : segments(out))
                assertTrue(s.length() < width, "width " + width + ": a line of " + s.length() + ": \"" + s + "\"\n" + out);
            assertTrue(out.contains("\r"), "a terminal gets redraws");
            if (width >= 30) for (int e = 1; e <= EPOCHS; e++) assertTrue(out.contains("epoch " + e + "/" + EPOCHS), out);
            if (width >= 52) assertTrue(out.contains("["), "the bar is drawn at width " + width + ":\n" + out);
        }
    }

    @Test
    void elsewhereOneLinePerEpochWithinTheWidth() {
        String wide = train(200, false);
        assertFalse(wide.contains("\r"), "no redraws outside a terminal");
        List<String> lines = wide.lines().toList();
        assertEquals(EPOCHS, lines.size(), "one line per epoch:\n" + wide);
        for (int e = 1; e <= EPOCHS; e++) {
            assertTrue(lines.get(e - 1).startsWith("epoch " + e + "/" + EPOCHS + ": train loss "), lines.get(e - 1));
            assertTrue(lines.get(e - 1).contains("| val loss"), lines.get(e - 1));
        }
        for (int width : new int[] {10, 25, 40}) {
            String narrow = train(width, false);
            for (String s : narrow.lines().toList()) assertTrue(s.length() <= width, "width " + width + ": \"" + s + "\"");
            assertEquals(EPOCHS, narrow.lines().filter(s -> s.startsWith("epoch ")).count(), narrow);
        }
    }

    @Test
    void longMetricNamesAndEarlyStoppingStayWithinTheWidth() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), 24, true);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("a_rather_long_metric_name_indeed", 0.5);
        bar.onEpochStart(new TrainingListener.EpochStart(12, 100, 5000));
        for (int b = 1; b <= 3; b++)
            bar.onStepEnd(new TrainingListener.StepEvent(12, 100, b, 5000, b, 64, 1.5f, 1.25, 0.1f, m));
        bar.onEpochEnd(new TrainingListener.EpochEvent(100, new History.Epoch(12, 1.25, m, 1.5, m, 3.5, 0.1), 192, true));
        bar.onFitEnd(new TrainingListener.FitEnd(new History(), true, 9, 0.75));
        String out = buf.toString(StandardCharsets.UTF_8);
        for (String s : segments(out)) assertTrue(s.length() < 24, "\"" + s + "\"\n" + out);
        assertTrue(out.contains("restored") && out.contains("epoch 9"), "the early stop is reported, wrapped:\n" + out);
    }

    @Test
    void widthComesFromColumnsOrDefaultsTo80() {
        assertEquals(120, ProgressBar.parseWidth("120"));
        assertEquals(100, ProgressBar.parseWidth(" 100 "));
        assertEquals(80, ProgressBar.parseWidth(null));
        assertEquals(80, ProgressBar.parseWidth("wide"));
        assertEquals(80, ProgressBar.parseWidth("0"));
        assertEquals(80, ProgressBar.DEFAULT_WIDTH);
        String env = System.getenv("COLUMNS");
        assertEquals(ProgressBar.parseWidth(env), ProgressBar.terminalWidth());
    }
}
