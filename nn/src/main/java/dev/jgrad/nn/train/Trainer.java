package dev.jgrad.nn.train;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.engine.dist.Collective;
import dev.jgrad.engine.dist.Collectives;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;
import dev.jgrad.nn.data.Batch;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The training loop: per epoch, mini-batch steps on the training loader (forward, loss, backward,
 * one fused optimizer step, the schedule's learning rate), then evaluation on the validation
 * loader; a {@link History} of the loss and the {@link Metric}s, optional early stopping that
 * restores the best weights, and checkpoints that resume a run exactly.
 *
 * <p>It prints nothing. {@link TrainingListener}s hear every step and epoch (add a
 * {@link ProgressBar} for the console view), and it logs one line per epoch at {@code DEBUG} to
 * the {@link System.Logger} {@value #LOGGER}.
 *
 * <p><b>Checkpoints.</b> With {@link #checkpoint(Path)} the trainer writes, after every epoch, a
 * {@link Checkpoint} holding everything the rest of the run depends on: the model's state dict
 * ({@code model.*}), the optimizer's moments, step count and learning rate ({@code optimizer.*}),
 * the step count that positions the schedule and the epochs done ({@code trainer.*}), the state of
 * every generator training draws from ({@code rng.*}: {@link dev.jgrad.nn.Init#generator()},
 * the generators dropout layers own, the shuffle
 * generators of the loaders, and any added with
 * {@link #generator}), early stopping's state ({@code early_stopping.*}) and the history so far.
 * A fresh trainer over a fresh model, optimizer and loaders, built the same way, continues from
 * it with {@link #resumeFrom(Path)}; the rest of the run then takes exactly the steps, and gives
 * exactly the losses, of a run that was never interrupted. The schedule is not stored (it is
 * code): give the resumed trainer the same one.
 */
public final class Trainer {
    /** The name of the logger the trainer writes to. */
    public static final String LOGGER = "dev.jgrad.nn.train";
    private static final System.Logger LOG = System.getLogger(LOGGER);

    private final Module model;
    private final Optimizer optimizer;
    private final BiFunction<Tensor, Tensor, Tensor> loss;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final Map<String, Generator> generators = new LinkedHashMap<>();
    private final Map<String, String> checkpointValues = new LinkedHashMap<>();
    private LrSchedule schedule;
    private EarlyStopping earlyStopping;
    private List<Metric> metrics;
    private ProgressBar outputBar;
    private Path checkpointFile;
    private Checkpoint resume;
    private int step;
    // The run in progress (or the last one): what a checkpoint is taken of.
    private DataLoader trainLoader, validationLoader;
    private History history;
    private int epochsDone;
    private boolean inEpoch;
    private Collective collective = Collectives.local();
    private OverlappedReduction overlap;

    /**
     * @param loss maps the model's output for a batch ({@code (N, C)} logits for a classifier) and
     *             the batch's targets {@code (N)} to a rank-0 loss
     */
    public Trainer(Module model, Optimizer optimizer, BiFunction<Tensor, Tensor, Tensor> loss) {
        if (model == null || optimizer == null || loss == null)
            throw new IllegalArgumentException("Trainer: model, optimizer and loss must not be null");
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

    /**
     * The metrics to report, in this order. Without this call they follow the model's first
     * output ({@link Metric#defaultsFor}): accuracy for a classifier, MSE, MAE and R² otherwise.
     */
    public Trainer metrics(Metric... metrics) {
        List<String> names = new ArrayList<>();
        for (Metric m : metrics) {
            if (names.contains(m.name())) throw new IllegalArgumentException("Trainer: metric " + m.name() + " given twice");
            names.add(m.name());
        }
        this.metrics = List.of(metrics);
        return this;
    }

    /**
     * Trains data-parallel over {@code collective} (see {@link DataParallel}): {@code fit} starts
     * from rank 0's weights, the training loader must be {@link DataLoader.Builder#shard sharded}
     * as this rank of {@code collective.size()}, the gradients are averaged over each global batch
     * before every optimizer step, and the epoch's training loss and metrics are reduced over the
     * ranks (example-weighted; exact for accuracy, MSE, MAE and, through its square, RMSE; R² is
     * the example-weighted mean of the ranks' values). Validation runs on every rank over the
     * whole validation loader. Only rank 0 writes the {@link #checkpoint} file; listeners hear
     * events on every rank (the CLI adds its progress bar on rank 0 only).
     */
    public Trainer distributed(Collective collective) {
        if (collective == null) throw new IllegalArgumentException("Trainer: collective is null");
        this.collective = collective;
        return this;
    }

    /** Adds a listener; listeners hear events in the order they were added. */
    public Trainer listener(TrainingListener listener) {
        if (listener == null) throw new IllegalArgumentException("Trainer: listener is null");
        listeners.add(listener);
        return this;
    }

    /**
     * Shows progress on {@code out}: shorthand for adding a {@link ProgressBar} of the
     * terminal's width, replacing one added by an earlier call.
     *
     * @param terminal redraw a bar (true) or print one line per epoch (false)
     */
    public Trainer output(PrintStream out, boolean terminal) {
        if (outputBar != null) listeners.remove(outputBar);
        outputBar = new ProgressBar(out, ProgressBar.terminalWidth(), terminal);
        listeners.add(outputBar);
        return this;
    }

    /**
     * Registers another generator that training draws from (data augmentation, say), so that
     * checkpoints save and restore its state under {@code rng.user.<name>}.
     */
    public Trainer generator(String name, Generator generator) {
        if (name == null || name.isEmpty() || generator == null)
            throw new IllegalArgumentException("Trainer: a generator needs a name and a generator");
        generators.put(name, generator);
        return this;
    }

    /** Writes a checkpoint to {@code file} after every epoch (atomically: a crash leaves the previous one). */
    public Trainer checkpoint(Path file) {
        this.checkpointFile = file;
        return this;
    }

    /**
     * Extra values written into every checkpoint's metadata under their own keys (how to rebuild
     * the model, say), replacing earlier ones.
     *
     * @throws IllegalArgumentException for a key the checkpoint uses itself ({@code trainer.*},
     *                                  {@code optimizer.*}, {@code rng.*}, {@code early_stopping.*},
     *                                  {@code history}, {@code format}, {@value Checkpoint#FORMAT_KEY})
     */
    public Trainer checkpointMetadata(Map<String, String> values) {
        for (String key : values.keySet())
            if (TrainingCheckpoint.reserved(key))
                throw new IllegalArgumentException("checkpointMetadata: \"" + key + "\" is a key the checkpoint uses itself");
        checkpointValues.clear();
        checkpointValues.putAll(values);
        return this;
    }

    /**
     * Makes the next {@link #fit} continue the run saved in {@code file}: it restores the model,
     * the optimizer, the schedule's position, the generators, early stopping and the history, and
     * trains from the epoch after the saved one. The file is read now; it is checked against this
     * trainer's model, optimizer and loaders when {@code fit} starts, before anything changes.
     *
     * @throws UncheckedIOException if the file cannot be read or is not a checkpoint
     */
    public Trainer resumeFrom(Path file) {
        if (resume != null) resume.close();
        try {
            List<Parameter> params = model.parameters();
            resume = Checkpoint.load(file, params.isEmpty() ? Device.defaultDevice() : params.get(0).value().device());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Loss, accuracy (NaN where it is not a metric), every metric, and the confusion matrix (or null) of a model on a data set. */
    public record Evaluation(double loss, double accuracy, int examples, int[][] confusion, Map<String, Double> metrics) {
        public Evaluation(double loss, double accuracy, int examples, int[][] confusion) {
            this(loss, accuracy, examples, confusion, Map.of("accuracy", accuracy));
        }
    }

    /**
     * Trains up to epoch {@code epochs}: epochs 1 to {@code epochs}, or after {@link #resumeFrom}
     * the epochs after the saved one. {@code validation} may be null (then early stopping is not
     * possible).
     *
     * @throws IllegalArgumentException for bad arguments, or a checkpoint to resume from that does
     *                                  not fit (naming what does not)
     */
    public History fit(DataLoader train, DataLoader validation, int epochs) {
        if (train == null) throw new IllegalArgumentException("fit: the training loader is null");
        if (epochs < 0) throw new IllegalArgumentException("fit: epochs must be >= 0, got " + epochs);
        if (earlyStopping != null && validation == null)
            throw new IllegalArgumentException("fit: early stopping needs a validation set");
        if (train.shardCount() != collective.size() || train.shardRank() != collective.rank())
            throw new IllegalArgumentException("fit: the training loader is shard " + train.shardRank() + " of " + train.shardCount()
                    + " but this trainer is rank " + collective.rank() + " of " + collective.size()
                    + " (" + collective.describe() + "); build the loader with .shard(rank, size)");
        trainLoader = train;
        validationLoader = validation;
        history = new History();
        epochsDone = 0;
        if (resume != null) {
            try (Checkpoint c = resume) {
                resume = null;
                TrainingCheckpoint.restore(c, this);
            }
            LOG.log(System.Logger.Level.DEBUG, "resumed after epoch {0}, step {1}", epochsDone, step);
        }
        if (collective.size() > 1) DataParallel.broadcastParameters(model, collective);
        overlap = OverlappedReduction.applies(model, collective) ? new OverlappedReduction(model, collective) : null;
        try {
            return fitEpochs(train, validation, epochs);
        } finally {
            if (overlap != null) overlap.close();
            overlap = null;
        }
    }

    private History fitEpochs(DataLoader train, DataLoader validation, int epochs) {
        boolean stopped = earlyStopping != null && earlyStopping.exhausted();
        int first = epochsDone + 1;
        for (TrainingListener l : listeners) l.onFitStart(new TrainingListener.FitStart(first, epochs, train.batchesPerEpoch()));
        for (int epoch = first; epoch <= epochs && !stopped; epoch++) {
            long t0 = System.nanoTime();
            EpochTotals totals = trainEpoch(train, epoch, epochs);
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<Metric> inUse = metrics != null ? metrics : List.of();
            Evaluation val = validation == null ? null : evaluate(model, validation, loss, inUse);
            Map<String, Double> valMetrics = new LinkedHashMap<>();
            for (Metric m : inUse) valMetrics.put(m.name(), val == null ? Double.NaN : val.metrics().get(m.name()));
            History.Epoch e = new History.Epoch(epoch, totals.loss, totals.metrics, val == null ? Double.NaN : val.loss(),
                    valMetrics, seconds, optimizer.lr());
            history.add(e);
            stopped = earlyStopping != null && earlyStopping.update(epoch, val.loss(), model);
            epochsDone = epoch;
            if (checkpointFile != null && collective.rank() == 0) saveCheckpoint(checkpointFile);
            if (LOG.isLoggable(System.Logger.Level.DEBUG)) LOG.log(System.Logger.Level.DEBUG, describe(e, epochs));
            for (TrainingListener l : listeners) l.onEpochEnd(new TrainingListener.EpochEvent(epochs, e, totals.examples, stopped));
        }
        if (stopped) LOG.log(System.Logger.Level.DEBUG, "early stopping: restoring epoch {0} (val loss {1})",
                earlyStopping.bestEpoch(), earlyStopping.bestLoss());
        if (earlyStopping != null) earlyStopping.restoreBest(model);
        TrainingListener.FitEnd end = new TrainingListener.FitEnd(history, stopped,
                earlyStopping == null ? -1 : earlyStopping.bestEpoch(), earlyStopping == null ? Double.NaN : earlyStopping.bestLoss());
        for (TrainingListener l : listeners) l.onFitEnd(end);
        return history;
    }

    private record EpochTotals(double loss, Map<String, Double> metrics, long examples) {}

    private EpochTotals trainEpoch(DataLoader train, int epoch, int epochs) {
        model.train();
        int batches = train.batchesPerEpoch();
        for (TrainingListener l : listeners) l.onEpochStart(new TrainingListener.EpochStart(epoch, epochs, batches));
        double lossSum = 0;
        long seen = 0;
        int batch = 0;
        List<Metric.Accumulator> accumulators = null;
        inEpoch = true;
        try {
            for (Batch b : train) {
                // Everything a step allocates (batch, activations, saved tensors) goes back at its end.
                try (MemoryScope scope = MemoryScope.open(); b) {
                    if (schedule != null) optimizer.setLr(schedule.lr(step));
                    optimizer.zeroGrad();
                    // A rank's part of the last global batch may be empty: it then contributes zero gradients.
                    Tensor output = b.size() == 0 ? null : model.forward(b.x());
                    Tensor l = output == null ? null : loss.apply(output, b.y());
                    if (overlap != null) overlap.begin(b.size(), train.globalBatchExamples(batch));
                    if (l != null) l.backward();
                    if (overlap != null) overlap.finish();
                    else if (collective.size() > 1) DataParallel.averageGradients(model, collective, b.size(), train.globalBatchExamples(batch));
                    optimizer.step();
                    step++;
                    float lv = l == null ? 0f : l.item();
                    lossSum += (double) lv * b.size();
                    seen += b.size();
                    batch++;
                    if (output != null) {
                        if (metrics == null) metrics = Metric.defaultsFor(output.shape());
                        if (accumulators == null) accumulators = accumulators(metrics);
                        try (var noGrad = GradMode.disable()) {
                            for (Metric.Accumulator a : accumulators) a.add(output, b.y());
                        }
                    }
                    if (!listeners.isEmpty() || LOG.isLoggable(System.Logger.Level.TRACE)) {
                        TrainingListener.StepEvent event = new TrainingListener.StepEvent(epoch, epochs, batch, batches,
                                step, b.size(), lv, lossSum / seen, optimizer.lr(), values(metrics, accumulators));
                        LOG.log(System.Logger.Level.TRACE, "step {0}: loss {1}", step, lv);
                        for (TrainingListener listener : listeners) listener.onStepEnd(event);
                    }
                }
            }
        } finally {
            inEpoch = false;
        }
        if (accumulators == null) accumulators = accumulators(metrics == null ? List.of() : metrics);
        Map<String, Double> values = values(metrics == null ? List.of() : metrics, accumulators);
        if (collective.size() > 1) return reduced(lossSum, seen, values);
        return new EpochTotals(lossSum / seen, values, seen);
    }

    /** The epoch's loss and metrics over every rank: sums of example-weighted values (RMSE through its square). */
    private EpochTotals reduced(double lossSum, long seen, Map<String, Double> values) {
        List<String> names = new ArrayList<>(values.keySet());
        double[] local = new double[2 + names.size()];
        local[0] = lossSum;
        local[1] = seen;
        for (int i = 0; i < names.size(); i++) {
            double v = values.get(names.get(i));
            if (names.get(i).equals("rmse")) v = v * v;
            local[2 + i] = seen == 0 || Double.isNaN(v) ? 0 : v * seen;
        }
        double[] total = collective.allReduceSum(local);
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            double v = total[2 + i] / total[1];
            out.put(names.get(i), names.get(i).equals("rmse") ? Math.sqrt(v) : v);
        }
        return new EpochTotals(total[0] / total[1], out, (long) total[1]);
    }

    private static List<Metric.Accumulator> accumulators(List<Metric> metrics) {
        List<Metric.Accumulator> out = new ArrayList<>();
        for (Metric m : metrics) out.add(m.accumulator());
        return out;
    }

    private static Map<String, Double> values(List<Metric> metrics, List<Metric.Accumulator> accumulators) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < metrics.size(); i++) out.put(metrics.get(i).name(), accumulators.get(i).value());
        return out;
    }

    private static String describe(History.Epoch e, int epochs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d: train loss %.4f", e.epoch(), epochs, e.trainLoss()));
        e.train().forEach((n, v) -> sb.append(String.format(Locale.ROOT, " %s %.4f", n, v)));
        if (!Double.isNaN(e.valLoss())) {
            sb.append(String.format(Locale.ROOT, " | val loss %.4f", e.valLoss()));
            e.validation().forEach((n, v) -> sb.append(String.format(Locale.ROOT, " %s %.4f", n, v)));
        }
        return sb.append(String.format(Locale.ROOT, " (%.1f s)", e.seconds())).toString();
    }

    /**
     * Writes a checkpoint of the run now (atomically). Checkpoints are taken between epochs: from
     * {@link TrainingListener#onEpochEnd}, or after {@code fit} returns (then the model holds what
     * {@code fit} left in it: the best weights, under early stopping).
     *
     * @throws IllegalStateException during an epoch, or before any {@code fit}
     * @throws UncheckedIOException  if writing fails (the file is then unchanged)
     */
    public void saveCheckpoint(Path file) {
        if (inEpoch) throw new IllegalStateException("saveCheckpoint: checkpoints are taken between epochs, "
                + "not during one (call it from onEpochEnd or after fit)");
        if (trainLoader == null) throw new IllegalStateException("saveCheckpoint: nothing to save before the first fit");
        try {
            TrainingCheckpoint.capture(this).save(file);
        } catch (IOException e) {
            throw new UncheckedIOException("saveCheckpoint: writing " + file + " failed: " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.DEBUG, "checkpoint after epoch {0} written to {1}", epochsDone, file);
    }

    // What TrainingCheckpoint reads and restores.
    Module model() { return model; }
    Optimizer optimizer() { return optimizer; }
    EarlyStopping earlyStoppingOrNull() { return earlyStopping; }
    Map<String, Generator> userGenerators() { return generators; }
    Map<String, String> checkpointValues() { return checkpointValues; }
    DataLoader trainLoader() { return trainLoader; }
    DataLoader validationLoader() { return validationLoader; }
    History history() { return history; }
    int epochsDone() { return epochsDone; }
    int step() { return step; }

    void restored(int epochsDone, int step, History history) {
        this.epochsDone = epochsDone;
        this.step = step;
        this.history = history;
    }

    /**
     * Evaluates a classifier (outputs {@code (N, C)}) in eval mode without recording a graph:
     * loss and accuracy; {@code classes} > 0 also fills a confusion matrix.
     */
    public static Evaluation evaluate(Module model, DataLoader data, BiFunction<Tensor, Tensor, Tensor> loss, int classes) {
        int[][] confusion = classes > 0 ? new int[classes][classes] : null;
        Metric.Accumulator confusionCounter = confusion == null ? null : new Metric.Accumulator() {
            @Override
            public void add(Tensor output, Tensor target) {
                float[] predicted = output.argmax(1, false).toArray(), truth = target.toArray();
                for (int i = 0; i < truth.length; i++) confusion[(int) truth[i]][(int) predicted[i]]++;
            }

            @Override
            public double value() {
                return Double.NaN;
            }
        };
        Evaluation r = run(model, data, loss, List.of(Metric.accuracy()), confusionCounter);
        return new Evaluation(r.loss(), r.accuracy(), r.examples(), confusion, r.metrics());
    }

    /** Evaluates in eval mode without recording a graph: the mean loss and each of {@code metrics}. */
    public static Evaluation evaluate(Module model, DataLoader data, BiFunction<Tensor, Tensor, Tensor> loss, List<Metric> metrics) {
        return run(model, data, loss, metrics, null);
    }

    private static Evaluation run(Module model, DataLoader data, BiFunction<Tensor, Tensor, Tensor> loss, List<Metric> metrics,
                                  Metric.Accumulator extra) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        int seen = 0;
        List<Metric.Accumulator> accumulators = accumulators(metrics);
        try (var noGrad = GradMode.disable()) {
            for (Batch b : data) {
                try (MemoryScope scope = MemoryScope.open(); b) {
                    Tensor output = model.forward(b.x());
                    lossSum += (double) loss.apply(output, b.y()).item() * b.size();
                    for (Metric.Accumulator a : accumulators) a.add(output, b.y());
                    if (extra != null) extra.add(output, b.y());
                    seen += b.size();
                }
            }
        } finally {
            if (wasTraining) model.train();
        }
        Map<String, Double> values = values(metrics, accumulators);
        return new Evaluation(lossSum / seen, values.getOrDefault("accuracy", Double.NaN), seen, null, values);
    }
}
