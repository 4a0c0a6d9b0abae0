package dev.jgrad.tests;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Users' mistakes: each must throw, naming the op and what was wrong, before any kernel runs. */
class BadInputTest {
    private final Generator gen = new Generator(42);

    private Tensor randn(int... shape) {
        return Tensor.randn(gen, shape);
    }

    /** Asserts that {@code call} throws {@code type} with a message containing each of {@code parts}. */
    private static <T extends Throwable> void throwsNaming(Class<T> type, Executable call, String... parts) {
        T e = assertThrows(type, call);
        for (String part : parts)
            assertTrue(e.getMessage() != null && e.getMessage().contains(part),
                    "message should contain '" + part + "': " + e.getMessage());
    }

    @Test
    void matmulInnerDimensionsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> randn(3, 4).matmul(randn(5, 6)));
        assertEquals("matmul: (3, 4) x (5, 6): inner dimensions 4 and 5 differ", e.getMessage());
        throwsNaming(IllegalArgumentException.class, () -> randn(2, 3, 4).matmul(randn(3, 5, 2)), "matmul", "(2, 3, 4)", "(3, 5, 2)");
        throwsNaming(IllegalArgumentException.class, () -> randn(2, 3, 4).matmul(randn(3, 4, 2)), "matmul", "broadcast");
        throwsNaming(IllegalArgumentException.class, () -> Tensor.scalar(1f).matmul(randn(3)), "matmul", "at least one dimension");
    }

    /** {@code get} reads through views on every device, and names a wrong rank or index. */
    @TestFactory
    Stream<DynamicTest> elementReads() {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest("get on " + d, () -> {
            float[] values = new float[12];
            for (int i = 0; i < values.length; i++) values[i] = i * 1.5f;
            Tensor m = Tensor.of(d, values, 3, 4);
            Tensor column = m.select(1, 2), stepped = m.view(12).slice(0, 1, 12, 3);
            for (int r = 0; r < 3; r++) assertEquals(values[r * 4 + 2], column.get(r), "column element " + r);
            for (int i = 0; i < 4; i++) assertEquals(values[1 + 3 * i], stepped.get(i), "stepped element " + i);
            assertEquals(values[2 * 4 + 1], m.get(2, 1));
            assertEquals(values[1 * 4 + 3], m.t().get(3, 1));
            throwsNaming(IllegalArgumentException.class, () -> m.get(1), "get", "rank 2");
            throwsNaming(IllegalArgumentException.class, () -> m.get(1, 2, 0), "get", "rank 2");
            throwsNaming(IndexOutOfBoundsException.class, () -> column.get(3), "get", "index 3", "size 3");
            throwsNaming(IndexOutOfBoundsException.class, () -> column.get(-1), "get", "index -1");
            throwsNaming(IndexOutOfBoundsException.class, () -> m.get(0, 4), "get", "index 4", "dimension 1");
        }));
    }

    @Test
    void broadcastMismatchNamesOpAndShapes() {
        throwsNaming(IllegalArgumentException.class, () -> randn(3, 4).add(randn(5)), "add", "(3, 4)", "(5,)");
        throwsNaming(IllegalArgumentException.class, () -> randn(2, 3).mul(randn(3, 2)), "mul", "(2, 3)", "(3, 2)");
        throwsNaming(IllegalArgumentException.class, () -> Tensor.where(randn(4), randn(3), randn(4)), "where", "(4,)", "(3,)");
        throwsNaming(IllegalArgumentException.class, () -> randn(2, 3).copyFrom(randn(4)), "copyFrom", "(4,)", "(2, 3)");
    }

    @Test
    void mixingDevicesNamesBothDevices() {
        List<Device> all = Device.all();
        assumeTrue(all.size() >= 2, "needs two devices");
        Device a = all.get(0), b = all.get(1);
        Tensor x = Tensor.randn(a, gen, 3), y = Tensor.randn(b, gen, 3);
        throwsNaming(IllegalArgumentException.class, () -> x.add(y), "add", a.name(), b.name());
        throwsNaming(IllegalArgumentException.class, () -> x.reshape(1, 3).matmul(y.reshape(3, 1)), "matmul", a.name(), b.name());
        throwsNaming(IllegalArgumentException.class, () -> Tensor.randn(a, gen, 1, 1, 3, 3)
                .conv2d(Tensor.randn(b, gen, 1, 1, 2, 2), null, 1, 0), "conv2d", a.name(), b.name());
    }

    @Test
    void convChannelMismatch() {
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 3, 5, 5).conv2d(randn(2, 4, 3, 3), null, 1, 0),
                "conv2d", "(1, 3, 5, 5)", "(2, 4, 3, 3)");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 3, 5, 5).conv2d(randn(2, 3, 3, 3), randn(3), 1, 0),
                "conv2d", "bias", "(3,)");
        throwsNaming(IllegalArgumentException.class, () -> randn(3, 5, 5).conv2d(randn(2, 3, 3, 3), null, 1, 0),
                "conv2d", "(3, 5, 5)");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 1, 2, 2).conv2d(randn(1, 1, 3, 3), null, 1, 0),
                "conv2d", "larger");
    }

    @Test
    void convNdAndTransposeBadArguments() {
        var o = dev.jgrad.engine.ConvOptions.defaults();
        // groups must divide the channels: weight (4, 2, 3, 3) with groups 2 wants 4 input channels
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 6, 5, 5).conv(randn(4, 2, 3, 3), null, o.groups(2)),
                "conv", "(1, 6, 5, 5)", "(4, 2, 3, 3)", "groups 2");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 6, 5, 5).conv(randn(5, 2, 3, 3), null, o.groups(3)),
                "conv", "groups 3", "cOut 5");
        // the dilated kernel (span 7) larger than the padded input (5 + 1)
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 1, 5).conv(randn(1, 1, 4), null, o.dilation(2).padding(new int[] {1}, new int[] {0})),
                "conv", "(1, 1, 5)", "dilated kernel");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 2, 5, 5).conv(randn(1, 2, 3, 3), null, o.stride(1, 2, 3)),
                "conv", "stride", "2 spatial dims");
        throwsNaming(IllegalArgumentException.class, () -> randn(2, 5, 5).conv(randn(1, 2, 3, 3), null, o), "conv", "(2, 5, 5)");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 2, 3, 3, 3, 3).conv(randn(1, 2, 1, 1, 1, 1), null, o),
                "conv", "(N, C, D, H, W)");
        throwsNaming(IllegalArgumentException.class, () -> o.dilation(0), "dilation", ">= 1");
        throwsNaming(IllegalArgumentException.class, () -> o.padding(-1), "padding", ">= 0");
        throwsNaming(IllegalArgumentException.class, () -> o.groups(0), "groups", ">= 1");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 2, 5).conv(randn(1, 2, 3), null, o.outputPadding(1)),
                "conv", "output_padding");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 2, 4, 4).convTranspose(randn(3, 2, 3, 3), null, o),
                "convTranspose", "(1, 2, 4, 4)", "(3, 2, 3, 3)");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 2, 4, 4).convTranspose(randn(2, 3, 3, 3), null,
                o.stride(2).outputPadding(2)), "convTranspose", "output_padding", "stride");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 3, 4).convTranspose(randn(3, 2, 3), null, o.groups(2)),
                "convTranspose", "groups 2", "3 input channels");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 2, 1).convTranspose(randn(2, 3, 1), null, o.padding(1)),
                "convTranspose", "size -1");
    }

    /** Label checks happen in the kernels, so every device must make them. */
    @TestFactory
    Stream<DynamicTest> badLabelsInCrossEntropy() {
        float[][] bad = {{0, 5}, {0, -1}, {1.5f, 0}, {Float.NaN, 0}, {0, Float.POSITIVE_INFINITY}};
        return Device.all().stream().flatMap(d -> Stream.of(bad).map(labels -> DynamicTest.dynamicTest(
                "crossEntropy labels " + java.util.Arrays.toString(labels) + " with 5 classes on " + d,
                () -> throwsNaming(IllegalArgumentException.class,
                        () -> Tensor.randn(d, gen, 2, 5).crossEntropy(Tensor.of(d, labels, 2)).item(),
                        "crossEntropy", "label"))));
    }

    @Test
    void crossEntropyShapes() {
        throwsNaming(IllegalArgumentException.class, () -> randn(4, 5).crossEntropy(Tensor.zeros(3)), "crossEntropy", "(3,)", "(4, 5)");
        throwsNaming(IllegalArgumentException.class, () -> randn(4).crossEntropy(Tensor.zeros(4)), "crossEntropy", "(4,)");
    }

    @Test
    void badReshape() {
        throwsNaming(IllegalArgumentException.class, () -> randn(2, 3).reshape(4, 2), "reshape", "(2, 3)", "(4, 2)");
        throwsNaming(IllegalArgumentException.class, () -> randn(2, 3).reshape(-1, -1), "reshape", "-1");
        throwsNaming(IllegalArgumentException.class, () -> randn(2, 3).reshape(4, -1), "reshape", "(2, 3)");
        throwsNaming(IllegalArgumentException.class, () -> randn(2, 3).t().view(6), "view", "contiguous");
        throwsNaming(IllegalArgumentException.class, () -> randn(2, 3).expand(4, 3), "expand", "(2, 3)");
        throwsNaming(IllegalArgumentException.class, () -> randn(2, 3).squeeze(0), "squeeze", "(2, 3)");
    }

    @Test
    void outOfRangeDimensions() {
        Tensor x = randn(2, 3);
        throwsNaming(IllegalArgumentException.class, () -> x.sum(2, false), "sum", "dimension 2", "rank 2");
        throwsNaming(IllegalArgumentException.class, () -> x.mean(-3, true), "mean", "dimension -3");
        throwsNaming(IllegalArgumentException.class, () -> x.max(5, false), "max", "dimension 5");
        throwsNaming(IllegalArgumentException.class, () -> x.argmax(2, false), "argmax", "dimension 2");
        throwsNaming(IllegalArgumentException.class, () -> x.softmax(2), "softmax", "dimension 2");
        throwsNaming(IllegalArgumentException.class, () -> x.transpose(0, 4), "transpose", "dimension 4");
        throwsNaming(IllegalArgumentException.class, () -> x.permute(0, 0), "permute", "repeated");
        throwsNaming(IllegalArgumentException.class, () -> x.permute(0), "permute", "rank 2");
        throwsNaming(IllegalArgumentException.class, () -> x.slice(2, 0, 1), "slice", "dimension 2");
        throwsNaming(IllegalArgumentException.class, () -> x.select(3, 0), "select", "dimension 3");
        assertThrows(IndexOutOfBoundsException.class, () -> x.select(0, 2));
        throwsNaming(IllegalArgumentException.class, () -> x.sum(new int[] {0, 0}, false), "sum", "twice");
    }

    @Test
    void poolWindowBiggerThanInput() {
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 1, 2, 2).maxPool2d(3, 1, 0), "pool2d", "window 3x3", "2x2");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 1, 2, 2).avgPool2d(3, 1, 0), "pool2d", "window 3x3");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 1, 4, 4).maxPool2d(2, 1, 2), "pool2d", "padding");
        throwsNaming(IllegalArgumentException.class, () -> randn(4, 4).maxPool2d(2, 2, 0), "maxPool2d", "(4, 4)");
    }

    @Test
    void batchNormAndDropoutArguments() {
        Tensor x = randn(4, 3);
        throwsNaming(IllegalArgumentException.class, () -> x.batchNorm(Tensor.ones(2), Tensor.zeros(3), Tensor.zeros(3),
                Tensor.ones(3), true, 0.1f, 1e-5f), "batchNorm", "(2,)", "(4, 3)");
        throwsNaming(IllegalArgumentException.class, () -> randn(1, 3).batchNorm(Tensor.ones(3), Tensor.zeros(3),
                Tensor.zeros(3), Tensor.ones(3), true, 0.1f, 1e-5f), "batchNorm", "(1, 3)");
        throwsNaming(IllegalArgumentException.class, () -> x.dropout(1.5f, true, gen), "dropout", "1.5");
        throwsNaming(IllegalArgumentException.class, () -> x.clamp(1f, -1f), "clamp");
    }

    @Test
    void usingAClosedTensorThrows() {
        Tensor x = randn(2, 3), y = randn(2, 3);
        Tensor view = x.t();
        x.close();
        assertEquals(3, view.toArray().length / 2, "a view keeps the memory alive");
        view.close();
        throwsNaming(IllegalStateException.class, x::toArray, "closed");
        throwsNaming(IllegalStateException.class, () -> x.add(y), "closed");
        throwsNaming(IllegalStateException.class, () -> y.mul(x), "closed");
        throwsNaming(IllegalStateException.class, () -> x.matmul(y.t()), "closed");
        x.close();   // closing twice is harmless
    }
}
