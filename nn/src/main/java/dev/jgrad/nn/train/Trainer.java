package dev.jgrad.nn.train;

import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.data.Batch;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * The training loop for classifiers: per epoch, mini-batch steps on the training loader (forward,
 * loss, backward, one fused optimizer step, the schedule's learning rate), then evaluation on the
 * validation loader; a progress bar, a {@link History}, and optional early stopping that restores
 * the best weights.
 */
public final class Trainer {
    private final Module model;
    private final Optimizer optimizer;
    private final BiFunction<Tensor, Tensor, Tensor> loss;
    private LrSchedule schedule;
    private EarlyStopping earlyStopping;
    private PrintStream out = System.out;
    private boolean terminal = Progress.stdoutIsTerminal();
    private int step;

    /**
     * @param loss maps logits {@code (N, C)} and labels {@code (N)} to a rank-0 loss
     */
    public Trainer(Module model, Optimizer optimizer, BiFunction<Tensor, Tensor, Tensor> loss) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
    }

    /** Sets the learning rate from {@code schedule} before every optimizer step. */
    public Trainer schedule(LrSchedule schedule) {
        this.schedule = schedule;
        return this;
    }

    public Trainer earlyStopping(EarlyStopping earlyStopping) {
        this.earlyStopping = earlyStopping;
        return this;
    }

    /** Where progress goes, and whether it is a terminal (redrawn bar) or a log (plain lines). */
    public Trainer output(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
        return this;
    }

    /** Loss, accuracy and confusion matrix of a model on a data set. */
    public record Evaluation(double loss, double accuracy, int examples, int[][] confusion) {}

    /**
     * Trains for up to {@code epochs} epochs. {@code validation} may be null (then early stopping
     * is not possible).
     */
    public History fit(DataLoader train, DataLoader validation, int epochs) {
        if (earlyStopping != null && validation == null)
            throw new IllegalArgumentException("fit: early stopping needs a validation set");
        History history = new History();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long t0 = System.nanoTime();
            model.train();
            double lossSum = 0;
            long correct = 0, seen = 0;
            int batches = 0;
            Progress progress = new Progress(out, terminal, String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs),
                    train.batchesPerEpoch());
            for (Batch b : train) {
                // Everything a step allocates (batch, activations, saved tensors) goes back at its end.
                try (MemoryScope scope = MemoryScope.open(); b) {
                    if (schedule != null) optimizer.setLr(schedule.lr(step));
                    Tensor logits = model.forward(b.x());
                    Tensor l = loss.apply(logits, b.y());
                    optimizer.zeroGrad();
                    l.backward();
                    optimizer.step();
                    step++;
                    float lv = l.item();
                    lossSum += (double) lv * b.size();
                    correct += correctCount(logits, b.y());
                    seen += b.size();
                    progress.update(++batches, b.size(), lossSum / seen);
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Evaluation val = validation == null ? null : evaluate(model, validation, loss, 0);
            History.Epoch e = new History.Epoch(epoch, lossSum / seen, (double) correct / seen,
                    val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(),
                    seconds, optimizer.lr());
            history.add(e);
            out.printf(Locale.ROOT, "epoch %d: train loss %.4f acc %.4f%s  (%.1f s, %.0f ex/s)%n", epoch, e.trainLoss(),
                    e.trainAccuracy(), val == null ? "" : String.format(Locale.ROOT, " | val loss %.4f acc %.4f",
                            val.loss(), val.accuracy()), seconds, seen / seconds);
            if (earlyStopping != null && earlyStopping.update(epoch, val.loss(), model)) {
                out.printf(Locale.ROOT, "early stopping: no improvement for the last epochs; restoring epoch %d "
                        + "(val loss %.4f)%n", earlyStopping.bestEpoch(), earlyStopping.bestLoss());
                break;
            }
        }
        if (earlyStopping != null) earlyStopping.restoreBest(model);
        return history;
    }

    /** Evaluates in eval mode without recording a graph; {@code classes} > 0 fills a confusion matrix. */
    public static Evaluation evaluate(Module model, DataLoader data, BiFunction<Tensor, Tensor, Tensor> loss, int classes) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
        int[][] confusion = classes > 0 ? new int[classes][classes] : null;
        try (var noGrad = GradMode.disable()) {
            for (Batch b : data) {
                try (MemoryScope scope = MemoryScope.open(); b) {
                    Tensor logits = model.forward(b.x());
                    lossSum += (double) loss.apply(logits, b.y()).item() * b.size();
                    float[] predicted = logits.argmax(1, false).toArray(), truth = b.y().toArray();
                    for (int i = 0; i < truth.length; i++) {
                        if (predicted[i] == truth[i]) correct++;
                        if (confusion != null) confusion[(int) truth[i]][(int) predicted[i]]++;
                    }
                    seen += b.size();
                }
            }
        } finally {
            if (wasTraining) model.train();
        }
        return new Evaluation(lossSum / seen, (double) correct / seen, seen, confusion);
    }

    private static long correctCount(Tensor logits, Tensor labels) {
        try (var noGrad = GradMode.disable()) {
            return (long) logits.argmax(1, false).eq(labels).sum().item();
        }
    }
}
