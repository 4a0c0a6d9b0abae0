package dev.jgrad.tests;

import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backward walk itself: accumulation, scopes, detach, deep graphs, release, and misuse. */
class AutogradTest {

    private static Tensor leaf(float... v) {
        return Tensor.of(v, v.length).requiresGrad(true);
    }

    @Test
    void aTensorUsedTwiceAccumulatesBothPaths() {
        Tensor x = leaf(1.5f, -2f, 3f);
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {3f, -4f, 6f}, x.grad().toArray(), "d(x*x)/dx = 2x");

        Tensor y = leaf(1.5f, -2f, 3f);
        y.add(y).sum().backward();
        assertArrayEquals(new float[] {2f, 2f, 2f}, y.grad().toArray(), "d(x+x)/dx = 2");

        // Two branches that meet again: d(x*x + exp(x))/dx = 2x + exp(x)
        Tensor z = leaf(0.5f, -1f);
        z.mul(z).add(z.exp()).sum().backward();
        assertArrayEquals(new float[] {1f + (float) Math.exp(0.5), -2f + (float) Math.exp(-1)}, z.grad().toArray(), 1e-6f);
    }

    @Test
    void gradientsAccumulateAcrossBackwardsUntilZeroGrad() {
        Tensor x = leaf(1f, 2f);
        x.mul(3f).sum().backward();
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {6f, 6f}, x.grad().toArray(), "two backward passes add up");
        x.zeroGrad();
        assertNull(x.grad());
        x.mul(5f).sum().backward();
        assertArrayEquals(new float[] {5f, 5f}, x.grad().toArray(), "after zeroGrad only the new pass counts");
    }

    @Test
    void gradModeDisableRecordsNothingAndRestores() {
        Tensor x = leaf(1f, 2f);
        try (GradMode.Scope ignored = GradMode.disable()) {
            assertFalse(GradMode.isEnabled());
            Tensor y = x.mul(2f).exp();
            assertFalse(y.requiresGrad(), "no recording inside GradMode.disable()");
            assertNull(y.gradFn());
            try (GradMode.Scope inner = GradMode.enable()) {
                assertTrue(x.mul(2f).requiresGrad(), "an enable() scope inside turns recording back on");
            }
            assertFalse(GradMode.isEnabled(), "closing the inner scope restores the outer setting");
        }
        assertTrue(GradMode.isEnabled());
        assertNotNull(x.mul(2f).gradFn(), "recording resumes after the scope");
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = leaf(2f, 3f);
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertArrayEquals(x.toArray(), d.toArray(), "detach shares the values");
        d.mul(x).sum().backward();   // only the x path counts: d/dx (c * x) = c
        assertArrayEquals(new float[] {2f, 3f}, x.grad().toArray());
    }

    @Test
    void aTenThousandOpChainBackpropagatesOnASmallStack() throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<float[]> grad = new AtomicReference<>();
        // 256 KiB: a recursive walk 10,000 nodes deep would overflow it.
        Thread t = new Thread(null, () -> {
            try {
                Tensor x = leaf(1f, -1f);
                Tensor y = x;
                for (int i = 0; i < 10_000; i++) y = y.mul(1.0001f);
                y.sum().backward();
                grad.set(x.grad().toArray());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "deep-graph", 256 * 1024);
        t.start();
        t.join();
        if (failure.get() != null) throw new AssertionError("backward of a 10,000-op chain failed", failure.get());
        double want = Math.pow(1.0001f, 10_000);
        assertEquals(want, grad.get()[0], 2e-3 * want);
        assertEquals(want, grad.get()[1], 2e-3 * want);
    }

    @Test
    void theGraphIsReleasedAfterBackward() {
        Tensor x = leaf(1f, 2f);
        Tensor loss = x.mul(x).sum();
        loss.backward();
        assertTrue(loss.gradFn().released());
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("released"), "message should say the graph was released: " + e.getMessage());
    }

    @Test
    void backwardOfANonScalarNeedsAGradient() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor y = x.mul(3f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("(2, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.ones(3, 2)), "gradient of the wrong shape");
        y.backward(Tensor.ones(2, 3));
        assertArrayEquals(new float[] {3, 3, 3, 3, 3, 3}, x.grad().toArray());
    }

    @Test
    void backwardWithoutAnythingToDifferentiateThrows() {
        Tensor c = Tensor.of(new float[] {1, 2}, 2).sum();
        assertThrows(IllegalStateException.class, c::backward);
    }

    @Test
    void comparisonsAreNotDifferentiable() {
        Tensor x = leaf(1f, 2f);
        assertFalse(x.gt(1.5f).requiresGrad());
        assertFalse(x.eq(x).requiresGrad());
    }
}
