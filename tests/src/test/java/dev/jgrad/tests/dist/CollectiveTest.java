package dev.jgrad.tests.dist;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.dist.Collective;
import dev.jgrad.engine.dist.Collectives;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.train.DataParallel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-process collective, the checks every collective makes, and MPI's missing-library message. */
class CollectiveTest {
    @Test
    void theLocalCollectiveIsRankZeroOfOneAndScales() {
        Collective c = Collectives.local();
        assertEquals(0, c.rank());
        assertEquals(1, c.size());
        Device cpu = Device.get("cpu-vectorized");
        Tensor a = Tensor.of(cpu, new float[] {1, -2, 3}, 3);
        c.allReduceSum(List.of(a));
        assertArrayEquals(new float[] {1, -2, 3}, a.toArray());
        c.allReduceSum(List.of(a), 0.5f);
        assertArrayEquals(new float[] {0.5f, -1, 1.5f}, a.toArray());
        assertArrayEquals(new double[] {4, 5}, c.allReduceSum(new double[] {4, 5}));
        c.broadcast(List.of(a), 0);
        assertThrows(IllegalArgumentException.class, () -> c.broadcast(List.of(a), 1));
    }

    @Test
    void viewsAreRejectedBecauseTheResultWouldHaveNowhereToGo() {
        Tensor m = Tensor.of(Device.get("cpu-vectorized"), new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Collectives.local().allReduceSum(List.of(m.transpose(0, 1))));
        assertTrue(e.getMessage().contains("view"), e.getMessage());
    }

    @Test
    void averagingGivesAParameterWithoutAGradientZeros() {
        Module model = Models.byName("softmax").to(Device.get("cpu-vectorized"));
        DataParallel.averageGradients(model, Collectives.local(), 0, 5);
        model.parameters().forEach(p -> {
            assertNotNull(p.grad(), "every parameter gets a gradient");
            for (float v : p.grad().toArray()) assertEquals(0f, v);
        });
        assertThrows(IllegalArgumentException.class, () -> DataParallel.averageGradients(model, Collectives.local(), 6, 5));
    }

    @Test
    void aMissingMpiLibraryIsNamedWithItsPackages() {
        String before = System.getProperty("jgrad.mpi.library");
        System.setProperty("jgrad.mpi.library", "/nonexistent/libmpi.so.40");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, Collectives::mpi);
            assertTrue(e.getMessage().contains("/nonexistent/libmpi.so.40"), e.getMessage());
            assertTrue(e.getMessage().contains("libopenmpi-dev openmpi-bin"), e.getMessage());
        } finally {
            if (before == null) System.clearProperty("jgrad.mpi.library");
            else System.setProperty("jgrad.mpi.library", before);
        }
    }
}
