package dev.jgrad.nn.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The console view of a training run, as a {@link TrainingListener}: on a terminal, one line per
 * epoch redrawn in place after every batch (bar, batches done, loss, metrics, ETA, examples per
 * second), replaced at the epoch's end by the epoch's summary; elsewhere (a pipe, a log file, CI)
 * only the summary line of each epoch.
 *
 * <p>No line is wider than the terminal: {@link #terminalWidth()} reads {@code COLUMNS} (the
 * JVM cannot ask the terminal itself without starting a process) and falls back to
 * {@value #DEFAULT_WIDTH} columns. On a terminal the lines stop one column short of the width,
 * so the cursor never wraps; the bar shrinks, then drops its least useful fields, to fit. A
 * summary leaves out the speed when that makes it fit, and otherwise continues on the next line.
 */
public final class ProgressBar implements TrainingListener {
    /** The width assumed when {@code COLUMNS} is not set. */
    public static final int DEFAULT_WIDTH = 80;
    private static final int MAX_BAR = 30, MIN_BAR = 10;

    private final PrintStream out;
    private final int limit;
    private final boolean terminal;
    private int epoch, epochs, batches;
    private long examples, epochStart;
    private int drawn;

    /** To standard output, at the width of {@link #terminalWidth()}, redrawn when it is a terminal. */
    public ProgressBar() {
        this(System.out, terminalWidth(), stdoutIsTerminal());
    }

    /**
     * @param width    columns available, >= 2
     * @param terminal redraw a bar in place (true) or print one line per epoch (false)
     */
    public ProgressBar(PrintStream out, int width, boolean terminal) {
        if (out == null) throw new IllegalArgumentException("progress bar: output stream is null");
        if (width < 2) throw new IllegalArgumentException("progress bar: width must be >= 2 columns, got " + width);
        this.out = out;
        this.terminal = terminal;
        this.limit = terminal ? width - 1 : width;
    }

    /** The terminal's width from the {@code COLUMNS} environment variable, else {@value #DEFAULT_WIDTH}. */
    public static int terminalWidth() {
        return parseWidth(System.getenv("COLUMNS"));
    }

    /** {@code columns} as a width when it is a whole number >= 2, else {@value #DEFAULT_WIDTH}. */
    public static int parseWidth(String columns) {
        if (columns == null) return DEFAULT_WIDTH;
        try {
            int w = Integer.parseInt(columns.trim());
            return w >= 2 ? w : DEFAULT_WIDTH;
        } catch (NumberFormatException e) {
            return DEFAULT_WIDTH;
        }
    }

    /** True when standard output is an interactive terminal. */
    public static boolean stdoutIsTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    @Override
    public void onEpochStart(EpochStart e) {
        epoch = e.epoch();
        epochs = e.epochs();
        batches = e.batches();
        examples = 0;
        epochStart = System.nanoTime();
    }

    @Override
    public void onStepEnd(StepEvent e) {
        examples += e.batchSize();
        if (!terminal) return;
        double secs = (System.nanoTime() - epochStart) / 1e9;
        double rate = examples / Math.max(secs, 1e-9);
        double eta = secs / e.batch() * (e.batches() - e.batch());
        List<String> optional = new ArrayList<>();       // dropped from the end first
        optional.add(String.format(Locale.ROOT, "ETA %.0fs", eta));
        e.metrics().forEach((name, v) -> optional.add(shortName(name) + " " + format(v)));
        optional.add(String.format(Locale.ROOT, "%.0f ex/s", rate));
        draw(barLine(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs), e.batch(), e.batches(),
                String.format(Locale.ROOT, "%d/%d loss %.4f", e.batch(), e.batches(), e.epochLoss()), optional));
    }

    /** {@code label [====    ] counter optional...}, as much of it as fits in the limit. */
    private String barLine(String label, int done, int total, String counter, List<String> optional) {
        while (true) {
            String tail = optional.isEmpty() ? "" : " " + String.join(" ", optional);
            String text = counter + tail;
            int room = limit - label.length() - text.length() - 4;   // two spaces and the brackets
            if (room >= MIN_BAR) {
                int width = Math.min(MAX_BAR, room), filled = (int) ((long) width * done / Math.max(1, total));
                return label + " [" + "=".repeat(filled) + " ".repeat(width - filled) + "] " + text;
            }
            if (optional.isEmpty()) return cut(label + " " + text);
            optional.remove(optional.size() - 1);
        }
    }

    @Override
    public void onEpochEnd(EpochEvent e) {
        History.Epoch r = e.result();
        List<String> groups = new ArrayList<>();
        groups.add(String.format(Locale.ROOT, "epoch %d/%d:", r.epoch(), e.epochs()));
        groups.add(String.format(Locale.ROOT, "train loss %.4f", r.trainLoss()) + metrics(r.train()));
        if (!Double.isNaN(r.valLoss()))
            groups.add(String.format(Locale.ROOT, "| val loss %.4f", r.valLoss()) + metrics(r.validation()));
        // The speed goes first when the summary would not fit on one line.
        String withSpeed = String.format(Locale.ROOT, "(%.1f s, %.0f ex/s)", r.seconds(), e.examples() / Math.max(r.seconds(), 1e-9));
        String plain = String.format(Locale.ROOT, "(%.1f s)", r.seconds());
        groups.add(String.join(" ", groups).length() + 1 + withSpeed.length() <= limit ? withSpeed : plain);
        print(groups);
    }

    @Override
    public void onFitEnd(FitEnd e) {
        if (e.stoppedEarly())
            print(List.of("early stopping: no improvement for the last epochs;",
                    String.format(Locale.ROOT, "restored epoch %d (val loss %.4f)", e.bestEpoch(), e.bestValLoss())));
    }

    private static String metrics(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        values.forEach((name, v) -> sb.append(' ').append(shortName(name)).append(' ').append(format(v)));
        return sb.toString();
    }

    private static String shortName(String metric) {
        return metric.equals("accuracy") ? "acc" : metric;
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Redraws the bar: back to the line's start, the new text, blanks over what is left of the old. */
    private void draw(String line) {
        out.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
        out.flush();
        drawn = line.length();
    }

    /** Prints finished lines (clearing the bar first), packing the groups into lines that fit. */
    private void print(List<String> groups) {
        if (drawn > 0) {
            out.print("\r" + " ".repeat(drawn) + "\r");
            drawn = 0;
        }
        for (String line : pack(groups, limit)) out.println(line);
        out.flush();
    }

    /**
     * Lines of at most {@code limit} characters: the groups joined by spaces, a group that does
     * not fit moved to the next line (indented by two), one longer than a line split at its spaces.
     */
    static List<String> pack(List<String> groups, int limit) {
        List<String> words = new ArrayList<>(), lines = new ArrayList<>();
        for (String g : groups) {
            if (g.length() + 2 <= limit) words.add(g);
            else words.addAll(List.of(g.split(" ")));
        }
        StringBuilder line = new StringBuilder();
        for (String w : words) {
            if (line.length() > 0 && line.length() + 1 + w.length() <= limit) {
                line.append(' ').append(w);
                continue;
            }
            if (line.length() > 0) lines.add(line.toString());
            String indent = lines.isEmpty() ? "" : "  ";
            line = new StringBuilder(cut(indent + w, limit));
        }
        if (line.length() > 0) lines.add(line.toString());
        return lines;
    }

    private String cut(String s) {
        return cut(s, limit);
    }

    private static String cut(String s, int limit) {
        return s.length() <= limit ? s : s.substring(0, limit);
    }
}
