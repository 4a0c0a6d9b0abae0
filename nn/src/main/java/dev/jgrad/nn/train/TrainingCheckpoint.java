package dev.jgrad.nn.train;

import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.layers.Dropout;
import dev.jgrad.nn.optim.Optimizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Trainer}'s checkpoint holds, under which names, and how it goes back. Values:
 * {@code trainer.epoch} (epochs done), {@code trainer.step} (optimizer steps: the schedule's
 * position), {@code optimizer.type}, {@code optimizer.hyperparameters}, {@code optimizer.steps},
 * {@code optimizer.lr}, {@code optimizer.slots}, {@code optimizer.parameters},
 * {@code rng.<generator>} (each generator's {@link Generator#state()}; a dropout layer's own
 * generator is {@code rng.module.<dotted path of the layer>}),
 * {@code early_stopping.patience|min_delta|best|best_epoch|waited}, {@code history} (the exact
 * CSV of the epochs so far) and the caller's own values under their keys. Tensors: {@code model.<name>}
 * (the state dict), {@code optimizer.slot<k>.<i>} (moment k of parameter i) and
 * {@code early_stopping.best_weights.<name>}.
 */
final class TrainingCheckpoint {
    private TrainingCheckpoint() {}

    static Checkpoint capture(Trainer t) {
        Checkpoint c = new Checkpoint();
        c.set("trainer.epoch", t.epochsDone());
        c.set("trainer.step", t.step());
        c.put("model", t.model().stateDict());
        Optimizer.State s = t.optimizer().state();
        c.set("optimizer.type", s.type());
        c.set("optimizer.hyperparameters", s.hyperparameters());
        c.set("optimizer.steps", s.steps());
        c.set("optimizer.lr", (double) s.lr());
        c.set("optimizer.slots", s.slots().size());
        c.set("optimizer.parameters", s.slots().isEmpty() ? 0 : s.slots().get(0).size());
        for (int k = 0; k < s.slots().size(); k++)
            for (int i = 0; i < s.slots().get(k).size(); i++) c.put("optimizer.slot" + k + "." + i, s.slots().get(k).get(i));
        generators(t).forEach((name, g) -> c.set("rng." + name, g.state()));
        EarlyStopping es = t.earlyStoppingOrNull();
        if (es != null) {
            c.set("early_stopping.patience", es.patience());
            c.set("early_stopping.min_delta", es.minDelta());
            c.set("early_stopping.best", es.bestLoss());
            c.set("early_stopping.best_epoch", es.bestEpoch());
            c.set("early_stopping.waited", es.waited());
            if (es.bestState() != null) c.put("early_stopping.best_weights", es.bestState());
        }
        c.set("history", t.history().toExactCsv());
        t.checkpointValues().forEach(c::set);
        return c;
    }

    /** Every generator the run draws from, by checkpoint name. */
    private static Map<String, Generator> generators(Trainer t) {
        Map<String, Generator> out = new LinkedHashMap<>();
        out.put("init", Init.generator());
        DataLoader train = t.trainLoader(), val = t.validationLoader();
        if (train != null && train.shuffleGenerator() != null) out.put("train_shuffle", train.shuffleGenerator());
        if (val != null && val.shuffleGenerator() != null) out.put("validation_shuffle", val.shuffleGenerator());
        t.userGenerators().forEach((name, g) -> out.put("user." + name, g));
        moduleGenerators(t.model(), "", out);
        return out;
    }

    /** The generators dropout layers own, as {@code module.<dotted path of the layer>}. */
    private static void moduleGenerators(Module m, String path, Map<String, Generator> out) {
        if (m instanceof Dropout d && d.generator() != null) out.put("module." + (path.isEmpty() ? "dropout" : path), d.generator());
        m.children().forEach((name, child) -> moduleGenerators(child, path.isEmpty() ? name : path + "." + name, out));
    }

    /**
     * Checks {@code c} against the trainer's model, optimizer, loaders and early stopping, then
     * restores all of them. Nothing changes when something does not match.
     *
     * @throws IllegalArgumentException naming the checkpoint and each mismatch
     */
    static void restore(Checkpoint c, Trainer t) {
        String where = c.origin();
        int epoch = nonNegative(c, "trainer.epoch"), step = nonNegative(c, "trainer.step");

        Map<String, Tensor> weights = c.tensors("model"), expected = t.model().stateDict();
        List<String> problems = new ArrayList<>();
        for (var e : expected.entrySet()) {
            Tensor w = weights.get(e.getKey());
            if (w == null && t.model().optionalStateKeys().contains(e.getKey())) continue;   // an older checkpoint
            if (w == null) problems.add("no entry model." + e.getKey());
            else if (!Arrays.equals(w.shape(), e.getValue().shape()))
                problems.add("model." + e.getKey() + " has shape " + Shapes.str(w.shape()) + ", the model needs "
                        + Shapes.str(e.getValue().shape()));
        }
        for (String name : weights.keySet())
            if (!expected.containsKey(name)) problems.add("model." + name + " is not in the model");
        Map<String, Tensor> best = c.tensors("early_stopping.best_weights");
        if (!best.isEmpty()) {
            java.util.Set<String> needed = new java.util.LinkedHashSet<>(expected.keySet());
            needed.removeIf(k -> !best.containsKey(k) && t.model().optionalStateKeys().contains(k));
            if (!best.keySet().equals(needed))
                problems.add("early stopping's best weights have entries " + best.keySet() + ", the model " + expected.keySet());
            else
                for (var e : expected.entrySet())
                    if (best.containsKey(e.getKey()) && !Arrays.equals(best.get(e.getKey()).shape(), e.getValue().shape()))
                        problems.add("early_stopping.best_weights." + e.getKey() + " has shape "
                                + Shapes.str(best.get(e.getKey()).shape()) + ", the model needs " + Shapes.str(e.getValue().shape()));
        }
        if (!problems.isEmpty())
            throw new IllegalArgumentException(where + ": the checkpoint does not fit the model: " + String.join("; ", problems));

        if (!c.has("optimizer.type"))
            throw new IllegalArgumentException(where + ": the checkpoint holds no optimizer state");
        int slots = nonNegative(c, "optimizer.slots"), params = nonNegative(c, "optimizer.parameters");
        List<List<Tensor>> moments = new ArrayList<>();
        for (int k = 0; k < slots; k++) {
            List<Tensor> slot = new ArrayList<>();
            for (int i = 0; i < params; i++) slot.add(c.tensor("optimizer.slot" + k + "." + i));
            moments.add(slot);
        }
        Optimizer.State state = new Optimizer.State(c.string("optimizer.type"), c.string("optimizer.hyperparameters"),
                nonNegative(c, "optimizer.steps"), (float) c.doubleValue("optimizer.lr"), moments);

        Map<String, Generator> generators = generators(t);
        Map<String, Long> rng = new LinkedHashMap<>();
        for (String name : generators.keySet()) {
            if (!c.has("rng." + name))
                throw new IllegalArgumentException(where + ": the checkpoint has no state for generator " + name
                        + " (" + describe(name) + "), which this run draws from");
            rng.put(name, c.longValue("rng." + name));
        }
        for (String key : c.values().keySet())
            if (key.startsWith("rng.") && !generators.containsKey(key.substring(4)))
                throw new IllegalArgumentException(where + ": the checkpoint has the state of generator " + key.substring(4)
                        + " (" + describe(key.substring(4)) + "), which this run lacks");

        EarlyStopping es = t.earlyStoppingOrNull();
        boolean saved = c.has("early_stopping.patience");
        if (es == null && saved)
            throw new IllegalArgumentException(where + ": the checkpoint was written with early stopping (patience "
                    + c.string("early_stopping.patience") + "), this trainer has none");
        if (es != null && !saved)
            throw new IllegalArgumentException(where + ": the checkpoint was written without early stopping, this trainer has it");
        if (es != null && (es.patience() != c.intValue("early_stopping.patience")
                || Double.compare(es.minDelta(), c.doubleValue("early_stopping.min_delta")) != 0))
            throw new IllegalArgumentException(where + ": early stopping was patience " + c.string("early_stopping.patience")
                    + ", min delta " + c.string("early_stopping.min_delta") + "; this trainer has patience " + es.patience()
                    + ", min delta " + es.minDelta());

        History history;
        try {
            history = History.fromCsv(c.string("history"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        if (history.epochs().size() != epoch)
            throw new IllegalArgumentException(where + ": the history has " + history.epochs().size()
                    + " epochs, trainer.epoch says " + epoch);

        try {
            t.optimizer().loadState(state);   // validates everything before it changes anything
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        t.model().loadStateDict(weights);
        rng.forEach((name, s) -> generators.get(name).restore(s));
        if (es != null) {
            es.restore(c.doubleValue("early_stopping.best"), c.intValue("early_stopping.best_epoch"),
                    nonNegative(c, "early_stopping.waited"), best.isEmpty() ? null : best);
        }
        t.restored(epoch, step, history);
    }

    /** True for a metadata key this class writes (or the file format's own). */
    static boolean reserved(String key) {
        return key == null || key.isEmpty() || key.equals("history") || key.equals("format") || key.equals(Checkpoint.FORMAT_KEY)
                || key.startsWith("trainer.") || key.startsWith("optimizer.") || key.startsWith("rng.")
                || key.startsWith("early_stopping.");
    }

    private static int nonNegative(Checkpoint c, String key) {
        int v = c.intValue(key);
        if (v < 0) throw new IllegalArgumentException(c.origin() + ": \"" + key + "\" is " + v + ", must be >= 0");
        return v;
    }

    private static String describe(String generator) {
        return switch (generator) {
            case "init" -> "Init.generator() (weight initialization, and the seeds of new dropout layers)";
            case "train_shuffle" -> "the training loader's shuffle";
            case "validation_shuffle" -> "the validation loader's shuffle";
            default -> generator.startsWith("module.") ? "owned by the model's dropout layer " + generator.substring(7)
                    : "added with Trainer.generator";
        };
    }
}
