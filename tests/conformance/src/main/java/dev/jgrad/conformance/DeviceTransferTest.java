package dev.jgrad.conformance;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@code to(device)} between every ordered pair of devices: values, strided sources, and the gradient's way back. */
class DeviceTransferTest {

    @TestFactory
    Stream<DynamicTest> everyPair() {
        return Conformance.devices().stream().flatMap(from -> Conformance.devices().stream().map(to -> DynamicTest.dynamicTest(
                "to[5x7 transposed] " + from + " -> " + to, () -> check(from, to))));
    }

    private static void check(Device from, Device to) {
        Generator gen = new Generator(Seeds.forCase("to " + from + " " + to));
        Tensor base = Tensor.randn(from, gen, 7, 5).requiresGrad(true);
        Tensor view = base.transpose(0, 1);
        Tensor moved = view.to(to);
        assertSame(to, moved.device());
        assertArrayEquals(view.toArray(), moved.toArray(), "values changed moving " + from + " -> " + to);

        Tensor r = Tensor.randn(to, gen, 5, 7);
        moved.mul(r).sum().backward();
        assertSame(from, base.grad().device(), "the gradient must come back to the source device");
        assertArrayEquals(r.transpose(0, 1).toArray(), base.grad().toArray(),
                "gradient of to(" + to + ") did not come back unchanged to " + from + " (seed " + Seeds.base() + ")");
    }
}
