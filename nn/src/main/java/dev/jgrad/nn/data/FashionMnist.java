package dev.jgrad.nn.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST (Zalando Research, MIT license): 28x28 grayscale images of 10 kinds of clothing,
 * 60,000 for training and 10,000 for testing, in four IDX files ({@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte},
 * each optionally gzipped with a {@code .gz} suffix).
 *
 * <p>A loaded split is an {@link ArrayDataset} with features {@code (1, 28, 28)} scaled to
 * {@code [0, 1]} (so batches are {@code (N, 1, 28, 28)}) and labels {@code 0..9} indexing
 * {@link #CLASS_NAMES}. On Debian and Ubuntu, {@code sudo apt-get install dataset-fashion-mnist}
 * puts the files in {@link #DEFAULT_DIR}.
 */
public final class FashionMnist {
    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final int TRAIN_SIZE = 60_000;
    public static final int TEST_SIZE = 10_000;
    public static final int ROWS = 28;
    public static final int COLS = 28;
    /** The class of label {@code k} is {@code CLASS_NAMES.get(k)}. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    static final String INSTALL_HINT = "install it with `sudo apt-get install dataset-fashion-mnist` (files go to "
            + DEFAULT_DIR + "), or pass --data-dir DIR naming a directory that holds the four files";

    /** The two standard splits and the prefix of their file names. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        String imagesFile() {
            return prefix + "-images-idx3-ubyte";
        }

        String labelsFile() {
            return prefix + "-labels-idx1-ubyte";
        }
    }

    private FashionMnist() {}

    /** The training split found in {@code dir} (60,000 examples in the standard files). */
    public static ArrayDataset train(Path dir) throws IOException {
        return load(dir, Split.TRAIN);
    }

    /** The test split found in {@code dir} (10,000 examples in the standard files). */
    public static ArrayDataset test(Path dir) throws IOException {
        return load(dir, Split.TEST);
    }

    /**
     * The directory to read: {@code dataDir} when given, else {@link #DEFAULT_DIR}; checked to
     * hold all four files.
     *
     * @param dataDir a directory from the command line ({@code --data-dir}), or null
     * @throws FileNotFoundException naming each missing file and the command that installs them
     */
    public static Path locate(Path dataDir) throws FileNotFoundException {
        Path dir = dataDir != null ? dataDir : DEFAULT_DIR;
        List<String> missing = new ArrayList<>();
        for (Split split : Split.values())
            for (String name : List.of(split.imagesFile(), split.labelsFile()))
                if (find(dir, name) == null) missing.add(name + "(.gz)");
        if (!missing.isEmpty())
            throw new FileNotFoundException("Fashion-MNIST is not in " + dir + ": missing " + String.join(", ", missing)
                    + "; " + INSTALL_HINT);
        return dir;
    }

    /**
     * One split from {@code dir}: images {@code (N, 1, 28, 28)} in {@code [0, 1]}, labels
     * {@code (N,)} in {@code 0..9}. Any {@code N} is accepted, so subsets in the same format load too.
     *
     * @throws IOException if a file is missing or malformed, or images and labels disagree
     */
    public static ArrayDataset load(Path dir, Split split) throws IOException {
        Path imagesPath = require(dir, split.imagesFile());
        Path labelsPath = require(dir, split.labelsFile());
        IdxReader.IdxArray images = IdxReader.readImages(imagesPath);
        IdxReader.IdxArray labels = IdxReader.readLabels(labelsPath);
        int[] d = images.dims();
        if (d[1] != ROWS || d[2] != COLS)
            throw new IOException(imagesPath + ": images are " + d[1] + "x" + d[2] + ", Fashion-MNIST's are 28x28");
        if (labels.count() != images.count())
            throw new IOException(labelsPath + ": " + labels.count() + " labels for the " + images.count()
                    + " images of " + imagesPath);
        int n = images.count(), pixels = ROWS * COLS;
        float[] features = new float[n * pixels];
        byte[] raw = images.data();
        for (int i = 0; i < features.length; i++) features[i] = (raw[i] & 0xFF) / 255f;
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int label = labels.unsigned(i);
            if (label >= CLASS_NAMES.size())
                throw new IOException(labelsPath + ": label " + i + " is " + label + ", outside 0.."
                        + (CLASS_NAMES.size() - 1));
            y[i] = label;
        }
        return new ArrayDataset(features, y, 1, ROWS, COLS);
    }

    private static Path require(Path dir, String name) throws FileNotFoundException {
        Path p = find(dir, name);
        if (p == null)
            throw new FileNotFoundException("Fashion-MNIST file " + dir.resolve(name) + "(.gz) is missing; " + INSTALL_HINT);
        return p;
    }

    /** {@code name.gz} or {@code name} in {@code dir}, or null. */
    private static Path find(Path dir, String name) {
        for (String candidate : List.of(name + ".gz", name)) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }
}
