package dev.jgrad.conformance;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * {@code pow} at base 0, where central differences cannot decide: the values and gradients must be
 * PyTorch 1.13's, on every device. PyTorch's rules: {@code x.pow(0)} has gradient 0 everywhere;
 * {@code a.pow(b)} has {@code d/da = 0} where {@code b == 0} and {@code d/db = 0} where
 * {@code a == 0} and {@code b >= 0}; elsewhere the plain formulas {@code b a^(b-1)} and
 * {@code a^b ln a} with float arithmetic (so 0 with a negative exponent gives infinities). Every
 * expected number below was printed by {@code torch 1.13} from the same inputs.
 */
class PowAtZeroTest {

    private record UnaryCase(float exponent, float[] value, float[] grad) {}

    /** {@code x = (0, -0, 2)}; value and gradient of {@code x.pow(e)}. */
    private static final UnaryCase[] UNARY = {
            new UnaryCase(0f, new float[] {1, 1, 1}, new float[] {0, 0, 0}),
            new UnaryCase(1f, new float[] {0, -0f, 2}, new float[] {1, 1, 1}),
            new UnaryCase(2f, new float[] {0, 0, 4}, new float[] {0, -0f, 4}),
            new UnaryCase(3f, new float[] {0, -0f, 8}, new float[] {0, 0, 12}),
            new UnaryCase(0.5f, new float[] {0, -0f, 1.4142135381698608f},
                    new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.3535533845424652f}),
            new UnaryCase(-1f, new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.5f},
                    new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.25f}),
            new UnaryCase(-2f, new float[] {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, 0.25f},
                    new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0.25f}),
    };

    /** {@code (a, b, a^b, d/da, d/db)} for one element each. */
    private static final float[][] BINARY = {
            {0, 0, 1, 0, 0},
            {0, 1, 0, 1, 0},
            {0, 2, 0, 0, 0},
            {0, 3, 0, 0, 0},
            {0, 0.5f, 0, Float.POSITIVE_INFINITY, 0},
            {0, -1, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY},
            {0, -2, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY},
            {2, 0, 1, 0, 0.6931471824645996f},
            {-2, 0, 1, 0, Float.NaN},
            {-2, 2, 4, -4, Float.NaN},
    };

    @TestFactory
    Stream<DynamicTest> unaryPowAtZero() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Conformance.devices())
            for (UnaryCase c : UNARY)
                tests.add(DynamicTest.dynamicTest("pow(" + c.exponent + ") at 0 on " + d, () -> {
                    Tensor x = Tensor.of(d, new float[] {0f, -0f, 2f}, 3).requiresGrad(true);
                    Tensor y = x.pow(c.exponent);
                    assertArrayEquals(c.value, y.toArray(), "pow(" + c.exponent + ") value");
                    y.sum().backward();
                    assertArrayEquals(c.grad, x.grad().toArray(), "pow(" + c.exponent + ") gradient (PyTorch 1.13's)");
                }));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> binaryPowAtZero() {
        return Conformance.devices().stream().map(d -> DynamicTest.dynamicTest("a.pow(b) at a = 0 on " + d, () -> {
            int n = BINARY.length;
            float[] av = new float[n], bv = new float[n], y = new float[n], ga = new float[n], gb = new float[n];
            for (int i = 0; i < n; i++) {
                av[i] = BINARY[i][0]; bv[i] = BINARY[i][1]; y[i] = BINARY[i][2];
                ga[i] = BINARY[i][3]; gb[i] = BINARY[i][4];
            }
            Tensor a = Tensor.of(d, av, n).requiresGrad(true);
            Tensor b = Tensor.of(d, bv, n).requiresGrad(true);
            Tensor out = a.pow(b);
            assertArrayEquals(y, out.toArray(), "a^b value");
            out.sum().backward();
            assertArrayEquals(ga, a.grad().toArray(), "d(a^b)/da (PyTorch 1.13's)");
            assertArrayEquals(gb, b.grad().toArray(), "d(a^b)/db (PyTorch 1.13's)");
        }));
    }
}
