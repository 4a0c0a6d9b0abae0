package dev.jgrad.nn.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Per-epoch metrics of one training run, savable as CSV and as a PNG chart. */
public final class History {

    /** One epoch's numbers; validation fields are NaN when there is no validation set. */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
                        double seconds, double lr) {}

    private final List<Epoch> epochs = new ArrayList<>();

    public void add(Epoch e) {
        epochs.add(e);
    }

    public List<Epoch> epochs() {
        return List.copyOf(epochs);
    }

    public Epoch last() {
        return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
    }

    /** The CSV text: a header line, then one line per epoch. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds,lr\n");
        for (Epoch e : epochs)
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.6g%n", e.epoch(), e.trainLoss(),
                    e.trainAccuracy(), e.valLoss(), e.valAccuracy(), e.seconds(), e.lr()));
        return sb.toString();
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
