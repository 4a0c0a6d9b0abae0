package dev.jgrad.tests.spi;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's raw-buffer example, line for line, with its comments checked. */
class RawBufferExampleTest {

    @Test
    void theReadmeRawBufferExampleRunsAsItsCommentsSay() {
        // README raw-buffer example begins
        Device cpu = Device.get("cpu");
        Backend be = cpu.backend();
        float[] a = {1, 2, 3, 4, 5, 6}, b = {1, 0, 0, 1, 1, 1}, c = new float[4];
        Buffer ba = be.wrap(a), bb = be.wrap(b);      // on the CPU the arrays themselves: no copy
        Buffer bc = be.allocate(4);                   // jgrad's memory
        be.matmul(ba, bb, bc, 1, 2, 2, 3, false, false, 0, 0); // (2, 3) @ (3, 2) -> (2, 2)
        be.copyOut(bc, 0, c, 0, 4);                   // c = [4, 5, 10, 11]
        Tensor t = Tensor.wrap(cpu, bc, 2, 2).sub(7f); // a tensor over bc (borrowed), then an op
        Buffer relu = t.relu().toBuffer();            // a result as a raw buffer: [0, 0, 3, 4]
        be.free(ba); be.free(bb); be.free(bc);        // a and b stay yours; bc goes back to jgrad
        // README raw-buffer example ends

        assertArrayEquals(new float[] {4, 5, 10, 11}, c);
        float[] r = new float[4];
        be.copyOut(relu, 0, r, 0, 4);
        assertArrayEquals(new float[] {0, 0, 3, 4}, r);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a, "the user's arrays are untouched");
        // and the README's note on an undersized output
        Buffer x = be.wrap(new float[6]), y = be.wrap(new float[6]), small = be.allocate(3);
        String msg = assertThrows(IllegalArgumentException.class,
                () -> be.matmul(x, y, small, 1, 2, 2, 3, false, false, 0, 0)).getMessage();
        assertTrue(msg.startsWith("matmul(batch 1, m 2, n 2, k 3, aBatchStride 0, bBatchStride 0) on " + cpu.name()
                + ": c holds 3 floats, needs 4"), msg);
        be.free(small);
    }
}
