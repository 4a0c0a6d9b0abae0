package dev.jgrad.tests.nn;

import dev.jgrad.nn.optim.LrSchedule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Learning-rate schedules against values computed by hand. */
class ScheduleTest {
    @Test
    void stepDecay() {
        LrSchedule s = LrSchedule.step(0.1f, 3, 0.5f);
        assertEquals(0.1f, s.lr(0), 1e-8);
        assertEquals(0.1f, s.lr(2), 1e-8);
        assertEquals(0.05f, s.lr(3), 1e-8);
        assertEquals(0.025f, s.lr(7), 1e-8);
    }

    @Test
    void exponential() {
        LrSchedule s = LrSchedule.exponential(1f, 0.9f);
        assertEquals(1f, s.lr(0), 1e-7);
        assertEquals(0.81f, s.lr(2), 1e-6);
    }

    @Test
    void cosine() {
        LrSchedule s = LrSchedule.cosine(1f, 10, 0.1f);
        assertEquals(1f, s.lr(0), 1e-6);
        assertEquals(0.55f, s.lr(5), 1e-6);   // halfway: min + (max - min) / 2
        assertEquals(0.1f, s.lr(10), 1e-6);
        assertEquals(0.1f, s.lr(50), 1e-6);
    }

    @Test
    void warmupThenCosine() {
        LrSchedule s = LrSchedule.warmup(4, LrSchedule.cosine(0.8f, 10, 0f));
        assertEquals(0.2f, s.lr(0), 1e-6);
        assertEquals(0.4f, s.lr(1), 1e-6);
        assertEquals(0.8f, s.lr(3), 1e-6);
        assertEquals(0.8f, s.lr(4), 1e-6);   // cosine restarted at its own t = 0
        assertEquals(0.4f, s.lr(9), 1e-6);   // cosine at t = 5 of 10
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.step(0.1f, 0, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(0.1f, 0, 0f));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmup(-1, LrSchedule.constant(1f)));
    }
}
