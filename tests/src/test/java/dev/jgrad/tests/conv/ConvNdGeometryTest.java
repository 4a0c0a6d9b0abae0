package dev.jgrad.tests.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgrad.engine.ConvNdGeometry;
import org.junit.jupiter.api.Test;

/** ConvNdGeometry's output sizes (PyTorch's formula, shapes from PyTorch 1.13) and its errors. */
class ConvNdGeometryTest {

    @Test
    void outputSizesFollowPyTorch() {
        // F.conv2d(F.pad(x (2, 3, 7, 8), (1, 0, 2, 1)), w (6, 1, 3, 2), stride=(2, 1), dilation=(2, 3), groups=3) -> (2, 6, 3, 6)
        ConvNdGeometry g = new ConvNdGeometry(2, 2, 3, 1, 7, 8, 6, 1, 3, 2, 1, 2, 1, 0, 0, 2, 1, 1, 0, 1, 2, 3, 3);
        assertEquals(1, g.outD());
        assertEquals(3, g.outH());
        assertEquals(6, g.outW());
        assertEquals(6, g.patchSize());
        assertEquals(2L * 6 * 3 * 6, g.outputElements());
        // F.conv3d(x (1, 2, 4, 5, 3), w (3, 2, 2, 3, 1), stride=(1, 2, 1), padding=(1, 0, 1), dilation=(2, 1, 1)) -> (1, 3, 4, 2, 5)
        ConvNdGeometry g3 = new ConvNdGeometry(3, 1, 2, 4, 5, 3, 3, 2, 3, 1, 1, 2, 1, 1, 1, 0, 0, 1, 1, 2, 1, 1, 1);
        assertEquals(4, g3.outD());
        assertEquals(2, g3.outH());
        assertEquals(5, g3.outW());
    }

    @Test
    void badGeometriesNameTheProblem() {
        IllegalArgumentException groups = assertThrows(IllegalArgumentException.class,
                () -> new ConvNdGeometry(2, 1, 4, 1, 5, 5, 6, 1, 3, 3, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 3));
        assertTrue(groups.getMessage().contains("groups 3 must divide both cIn 4 and cOut 6"), groups.getMessage());
        IllegalArgumentException span = assertThrows(IllegalArgumentException.class,
                () -> new ConvNdGeometry(1, 1, 2, 1, 1, 5, 2, 1, 1, 3, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 3, 1));
        assertTrue(span.getMessage().contains("dilated kernel spans 1x1x7"), span.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new ConvNdGeometry(2, 1, 2, 1, 5, 5, 2, 1, 3, 3, 1, 1, 1, 0, 0, -1, 0, 0, 0, 1, 1, 1, 1));
    }

    @Test
    void columnsThatDoNotFitOneBufferRaiseAClearError() {
        // one group's im2col of 64 images: 64 x (64 * 3 * 3) x (256 * 256) floats, far past a buffer
        ConvNdGeometry g = new ConvNdGeometry(2, 64, 128, 1, 256, 256, 64, 1, 3, 3, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.requireColumnsFit("conv on test", 64));
        assertTrue(e.getMessage().startsWith("conv on test: ConvNdGeometry[dims=2"), e.getMessage());
        assertTrue(e.getMessage().contains("more than the"), e.getMessage());
    }
}
