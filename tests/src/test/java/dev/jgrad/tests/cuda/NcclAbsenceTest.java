package dev.jgrad.tests.cuda;

import dev.jgrad.cuda.NcclCollective;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.dist.Collectives;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NCCL collective builds everywhere and says what is missing where NCCL is: the library by
 * name and where it comes from, or (with the library present) that it needs the CUDA device.
 * Its reductions run only on a GPU (the GPU check's nccl step).
 */
class NcclAbsenceTest {
    @Test
    void aMissingLibraryIsNamedWithWhereItComesFrom() {
        String before = System.getProperty("jgrad.nccl.library");
        System.setProperty("jgrad.nccl.library", "/nonexistent/libnccl.so.2");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> NcclCollective.open(Collectives.local(), Device.get("cpu-vectorized")));
            assertTrue(e.getMessage().contains("libnccl.so.2 could not be loaded"), e.getMessage());
            assertTrue(e.getMessage().contains("/nonexistent/libnccl.so.2"), e.getMessage());
            assertTrue(e.getMessage().contains("nvidia-nccl-cu13"), e.getMessage());
        } finally {
            if (before == null) System.clearProperty("jgrad.nccl.library");
            else System.setProperty("jgrad.nccl.library", before);
        }
    }

    @Test
    void withoutAnExplicitLibraryItFailsClearlyOnEveryMachine() {
        // here: no libnccl.so.2 (the message names it); on a GPU machine with NCCL: the CPU device is refused
        RuntimeException e = assertThrows(RuntimeException.class, () -> NcclCollective.open(Collectives.local(), Device.get("cpu-vectorized")));
        assertTrue(e.getMessage().contains("libnccl.so.2") || e.getMessage().contains("needs the CUDA device"), e.getMessage());
    }
}
