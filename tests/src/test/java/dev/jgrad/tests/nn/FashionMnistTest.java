package dev.jgrad.tests.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.Batch;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Fashion-MNIST from the committed real subset (first 3,000 training and 1,000 test examples,
 * see src/test/resources/fashion-mnist-subset/README.md), and from the full Debian package
 * when it is installed.
 */
class FashionMnistTest {
    static Path subsetDir() {
        try {
            return Path.of(FashionMnistTest.class.getResource("/fashion-mnist-subset").toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static void checkSplit(ArrayDataset data, int n) {
        assertEquals(n, data.size());
        assertArrayEquals(new int[] {1, 28, 28}, data.featureShape());
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : data.features()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min, "pixels scale to [0, 1]");
        assertEquals(1f, max, "pixels scale to [0, 1]");
        int[] perClass = new int[10];
        for (float y : data.labels()) {
            assertEquals(Math.rint(y), y, "labels hold integers");
            assertTrue(y >= 0 && y <= 9, "label " + y);
            perClass[(int) y]++;
        }
        for (int c = 0; c < 10; c++) assertTrue(perClass[c] > n / 20, "class " + c + " has only " + perClass[c]);
    }

    @Test
    void theCommittedSubsetLoads() throws IOException {
        Path dir = subsetDir();
        ArrayDataset train = FashionMnist.train(dir), test = FashionMnist.test(dir);
        checkSplit(train, 3000);
        checkSplit(test, 1000);
        // The first labels of the official files: ankle boot, T-shirt, T-shirt, dress, ...
        float[] first = Arrays.copyOf(train.labels(), 10);
        assertArrayEquals(new float[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, first);
        assertArrayEquals(new float[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, Arrays.copyOf(test.labels(), 10));
        // Image 0's raw pixels sum to 76,247 (computed from the IDX bytes with python3).
        double sum = 0;
        for (int i = 0; i < 784; i++) sum += train.features()[i];
        assertEquals(76247 / 255.0, sum, 1e-3);

        DataLoader loader = DataLoader.builder(test).batchSize(256).device(Device.cpu()).build();
        int seen = 0;
        for (Batch b : loader) {
            try (b) {
                assertArrayEquals(new int[] {b.size(), 1, 28, 28}, b.x().shape());
                seen += b.size();
            }
        }
        assertEquals(1000, seen);
    }

    @Test
    void classNames() {
        assertEquals(10, FashionMnist.CLASS_NAMES.size());
        assertEquals("T-shirt/top", FashionMnist.CLASS_NAMES.get(0));
        assertEquals("Sneaker", FashionMnist.CLASS_NAMES.get(7));
        assertEquals("Ankle boot", FashionMnist.CLASS_NAMES.get(9));
    }

    @Test
    void missingFilesSayHowToInstallThem(@TempDir Path empty) throws IOException {
        FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> FashionMnist.locate(empty));
        assertTrue(e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());

        Files.copy(subsetDir().resolve("train-images-idx3-ubyte.gz"), empty.resolve("train-images-idx3-ubyte.gz"));
        Files.copy(subsetDir().resolve("t10k-labels-idx1-ubyte.gz"), empty.resolve("t10k-labels-idx1-ubyte"));
        e = assertThrows(FileNotFoundException.class, () -> FashionMnist.locate(empty));
        assertTrue(e.getMessage().contains("missing train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz);"),
                e.getMessage());
        e = assertThrows(FileNotFoundException.class, () -> FashionMnist.train(empty));
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte"), e.getMessage());
        assertEquals(subsetDir(), FashionMnist.locate(subsetDir()));
    }

    @Test
    void mismatchedImagesAndLabelsAreRejected(@TempDir Path dir) throws IOException {
        Files.copy(subsetDir().resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-images-idx3-ubyte.gz"));
        Files.copy(subsetDir().resolve("t10k-labels-idx1-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"));
        IOException e = assertThrows(IOException.class, () -> FashionMnist.train(dir));
        assertTrue(e.getMessage().contains("1000 labels for the 3000 images"), e.getMessage());
    }

    @Test
    void theFullDatasetWhenInstalled() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "dataset-fashion-mnist is not installed");
        Path dir = FashionMnist.locate(null);
        checkSplit(FashionMnist.train(dir), FashionMnist.TRAIN_SIZE);
        checkSplit(FashionMnist.test(dir), FashionMnist.TEST_SIZE);
    }
}
