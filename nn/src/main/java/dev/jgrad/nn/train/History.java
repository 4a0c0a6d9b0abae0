package dev.jgrad.nn.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-epoch numbers of one training run, savable as CSV. The columns follow the metrics in use:
 * {@code epoch, train_loss, train_<metric>..., val_loss, val_<metric>..., seconds, lr}, so a
 * classifier has {@code train_accuracy} and a regression {@code train_mse, train_mae, train_r2}.
 */
public final class History {

    /**
     * One epoch's numbers; validation fields are NaN (and {@code validation} has NaN values) when
     * there is no validation set.
     *
     * @param train      each metric's value on the training batches, in the order of the metrics
     * @param validation each metric's value on the validation set, same names
     * @param lr         the learning rate of the epoch's last step
     */
    public record Epoch(int epoch, double trainLoss, Map<String, Double> train, double valLoss,
                        Map<String, Double> validation, double seconds, double lr) {
        public Epoch {
            train = Collections.unmodifiableMap(new LinkedHashMap<>(train));
            validation = Collections.unmodifiableMap(new LinkedHashMap<>(validation));
        }

        /**
         * A classifier's epoch, accuracy its one metric; with both accuracies NaN, an epoch with no
         * metric (the loss alone).
         */
        public Epoch(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
                     double seconds, double lr) {
            this(epoch, trainLoss, accuracy(trainAccuracy, valAccuracy, trainAccuracy), valLoss,
                    accuracy(trainAccuracy, valAccuracy, valAccuracy), seconds, lr);
        }

        private static Map<String, Double> accuracy(double train, double val, double value) {
            return Double.isNaN(train) && Double.isNaN(val) ? Map.of() : Map.of("accuracy", value);
        }

        /** A metric on the training batches, NaN if not in use. */
        public double trainMetric(String name) {
            return train.getOrDefault(name, Double.NaN);
        }

        /** A metric on the validation set, NaN if not in use or without validation. */
        public double valMetric(String name) {
            return validation.getOrDefault(name, Double.NaN);
        }

        /** Training accuracy, NaN where accuracy is not a metric (a regression). */
        public double trainAccuracy() {
            return trainMetric("accuracy");
        }

        /** Validation accuracy, NaN where accuracy is not a metric or there is no validation. */
        public double valAccuracy() {
            return valMetric("accuracy");
        }
    }

    private final List<Epoch> epochs = new ArrayList<>();

    /**
     * Appends an epoch.
     *
     * @throws IllegalArgumentException when its metrics differ from the earlier epochs'
     */
    public void add(Epoch e) {
        if (!epochs.isEmpty() && !List.copyOf(epochs.get(0).train().keySet()).equals(List.copyOf(e.train().keySet())))
            throw new IllegalArgumentException("history: epoch " + e.epoch() + " has metrics " + e.train().keySet()
                    + ", the earlier epochs have " + epochs.get(0).train().keySet());
        epochs.add(e);
    }

    public List<Epoch> epochs() {
        return List.copyOf(epochs);
    }

    public Epoch last() {
        return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
    }

    /** The metric names in use (the first epoch's), empty before the first epoch. */
    public List<String> metricNames() {
        return epochs.isEmpty() ? List.of() : List.copyOf(epochs.get(0).train().keySet());
    }

    /** The CSV text: a header line, then one line per epoch, losses and metrics to 6 decimals. */
    public String toCsv() {
        return csv(false);
    }

    /** The CSV with every number exact ({@link Double#toString}), as a checkpoint stores it. */
    String toExactCsv() {
        return csv(true);
    }

    private String csv(boolean exact) {
        List<String> names = metricNames();
        StringBuilder sb = new StringBuilder("epoch,train_loss");
        for (String n : names) sb.append(",train_").append(n);
        sb.append(",val_loss");
        for (String n : names) sb.append(",val_").append(n);
        sb.append(",seconds,lr\n");
        for (Epoch e : epochs) {
            sb.append(e.epoch()).append(',').append(number(e.trainLoss(), exact, "%.6f"));
            for (String n : names) sb.append(',').append(number(e.trainMetric(n), exact, "%.6f"));
            sb.append(',').append(number(e.valLoss(), exact, "%.6f"));
            for (String n : names) sb.append(',').append(number(e.valMetric(n), exact, "%.6f"));
            sb.append(',').append(number(e.seconds(), exact, "%.3f")).append(',').append(number(e.lr(), exact, "%.6g"));
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String number(double v, boolean exact, String format) {
        return exact ? Double.toString(v) : String.format(Locale.ROOT, format, v);
    }

    /**
     * Reads the CSV of {@link #toCsv()} or {@link #toExactCsv()} back.
     *
     * @throws IllegalArgumentException naming the line that does not fit the header
     */
    static History fromCsv(String csv) {
        String[] lines = csv.split("\n");
        String[] header = lines[0].split(",", -1);
        int n = header.length;
        if (n < 5 || (n - 5) % 2 != 0 || !header[0].equals("epoch") || !header[1].equals("train_loss")
                || !header[n - 2].equals("seconds") || !header[n - 1].equals("lr"))
            throw new IllegalArgumentException("history: not a history CSV header: " + lines[0]);
        int metrics = (n - 5) / 2;
        List<String> names = new ArrayList<>();
        for (int m = 0; m < metrics; m++) {
            String train = header[2 + m], val = header[3 + metrics + m];
            if (!train.startsWith("train_") || !val.equals("val_" + train.substring(6)))
                throw new IllegalArgumentException("history: columns " + train + " and " + val + " do not pair up");
            names.add(train.substring(6));
        }
        History h = new History();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",", -1);
            if (f.length != n)
                throw new IllegalArgumentException("history: line " + (i + 1) + " has " + f.length + " fields, the header " + n);
            try {
                Map<String, Double> train = new LinkedHashMap<>(), val = new LinkedHashMap<>();
                for (int m = 0; m < metrics; m++) {
                    train.put(names.get(m), Double.parseDouble(f[2 + m]));
                    val.put(names.get(m), Double.parseDouble(f[3 + metrics + m]));
                }
                h.add(new Epoch(Integer.parseInt(f[0]), Double.parseDouble(f[1]), train,
                        Double.parseDouble(f[2 + metrics]), val, Double.parseDouble(f[n - 2]), Double.parseDouble(f[n - 1])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("history: line " + (i + 1) + " is not numbers: " + lines[i]);
            }
        }
        return h;
    }

    /** Writes the CSV through a temporary file renamed into place. */
    public void saveCsv(Path file) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, toCsv(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
