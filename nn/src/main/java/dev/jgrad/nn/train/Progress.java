package dev.jgrad.nn.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar for one epoch: batches done, examples per second, ETA. On a terminal it redraws
 * one line in place; otherwise (a pipe, a log file, CI) it prints a plain line every 10%.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final int totalBatches;
    private final long start = System.nanoTime();
    private long examples;
    private int lastDecile = -1;

    public Progress(PrintStream out, boolean terminal, String label, int totalBatches) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.totalBatches = totalBatches;
    }

    /** True when standard output is an interactive terminal. */
    public static boolean stdoutIsTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    /** Records a finished batch of {@code batchSize} examples and its loss. */
    public void update(int batchesDone, int batchSize, double loss) {
        examples += batchSize;
        double secs = (System.nanoTime() - start) / 1e9;
        double rate = examples / Math.max(secs, 1e-9);
        double eta = batchesDone == 0 ? 0 : secs / batchesDone * (totalBatches - batchesDone);
        if (terminal) {
            int width = 30, filled = (int) ((long) width * batchesDone / Math.max(1, totalBatches));
            out.printf(Locale.ROOT, "\r%s [%s%s] %d/%d  %.0f ex/s  ETA %.0fs  loss %.4f ", label,
                    "=".repeat(filled), " ".repeat(width - filled), batchesDone, totalBatches, rate, eta, loss);
            if (batchesDone == totalBatches) out.println();
            out.flush();
        } else {
            int decile = (int) (10L * batchesDone / Math.max(1, totalBatches));
            if (decile != lastDecile && (decile > lastDecile)) {
                lastDecile = decile;
                out.printf(Locale.ROOT, "%s %d/%d batches  %.0f ex/s  ETA %.0fs  loss %.4f%n", label, batchesDone,
                        totalBatches, rate, eta, loss);
            }
        }
    }
}
