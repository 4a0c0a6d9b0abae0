package dev.jgrad.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link RefConv} against PyTorch 1.13 in float64 ({@code torch.nn.functional.conv1d/2d/3d},
 * {@code conv_transpose2d}; asymmetric padding as {@code F.pad} before the convolution), on
 * inputs {@code sin(0.7 i + 0.3)} in row-major order. The sum and the sum of squares of each
 * output were printed by a hand-run probe; they pin groups, dilation, strides, begin/end padding,
 * output_padding and the weight layouts before any engine kernel is compared with these references.
 */
class RefConvTest {

    private static Ref wave(int... shape) {
        Ref r = Ref.zeros(shape);
        for (int i = 0; i < r.data.length; i++) r.data[i] = Math.sin(0.7 * i + 0.3);
        return r;
    }

    private static void check(Ref y, int[] shape, double sum, double squares) {
        assertArrayEquals(shape, y.shape);
        double s = 0, q = 0;
        for (double v : y.data) {
            s += v;
            q += v * v;
        }
        assertEquals(sum, s, 1e-10 * Math.max(1, Math.abs(sum)), "sum");
        assertEquals(squares, q, 1e-10 * squares, "sum of squares");
    }

    @Test
    void conv2dGroupedDilatedStridedAsymmetricPadding() {
        // F.conv2d(F.pad(x, (1, 0, 2, 1)), w, b, stride=(2, 1), dilation=(2, 3), groups=3)
        Ref y = RefConv.conv(wave(2, 3, 7, 8), wave(6, 1, 3, 2), wave(6), new int[] {2, 1}, new int[] {2, 1},
                new int[] {1, 0}, new int[] {2, 3}, 3);
        check(y, new int[] {2, 6, 3, 6}, 84.91690985425943, 174.64546729760906);
    }

    @Test
    void conv1dGroupedDilated() {
        // F.conv1d(x, w, None, stride=2, padding=1, dilation=3, groups=2)
        Ref y = RefConv.conv(wave(1, 4, 9), wave(2, 2, 3), null, new int[] {2}, new int[] {1}, new int[] {1},
                new int[] {3}, 2);
        check(y, new int[] {1, 2, 3}, -1.002903052880067, 2.3304260292905505);
    }

    @Test
    void conv3d() {
        // F.conv3d(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1), dilation=(2, 1, 1))
        Ref y = RefConv.conv(wave(1, 2, 4, 5, 3), wave(3, 2, 2, 3, 1), wave(3), new int[] {1, 2, 1},
                new int[] {1, 0, 1}, new int[] {1, 0, 1}, new int[] {2, 1, 1}, 1);
        check(y, new int[] {1, 3, 4, 2, 5}, 85.15071146519712, 237.89823005017175);
    }

    @Test
    void convTranspose2dGroupedWithOutputPadding() {
        // F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1, groups=2, dilation=(1, 2))
        Ref y = RefConv.convTranspose(wave(2, 4, 3, 5), wave(4, 3, 3, 2), wave(6), new int[] {2, 2}, new int[] {1, 1},
                new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 2}, 2);
        check(y, new int[] {2, 6, 6, 10}, 268.1486976562984, 817.2940528819097);
    }
}
