package dev.jgrad.engine.cpu;

import java.util.Optional;

/**
 * Whether the Vector API ({@code jdk.incubator.vector}), which {@code cpu-vectorized} is written
 * in, can be used by this JVM. An incubator module is resolved only when asked for, so a JVM
 * started without {@code --add-modules jdk.incubator.vector} lacks it, and the first vectorized
 * kernel would die with {@code NoClassDefFoundError}. This is found out without touching any class
 * of the module: from the boot layer, and on the module path from whether the engine reads it.
 */
final class VectorApi {
    static final String MODULE = "jdk.incubator.vector";
    /** The java option that gives the fast path. */
    static final String FLAG = "--add-modules " + MODULE;

    private VectorApi() {}

    /** Null when the Vector API is usable here, otherwise why not and which flag helps. */
    static String unavailableReason() {
        Optional<Module> vector = ModuleLayer.boot().findModule(MODULE);
        if (vector.isEmpty())
            return "the Vector API (module " + MODULE + ") is not loaded in this JVM; start java with " + FLAG
                    + " for the vectorized kernels";
        Module engine = VectorApi.class.getModule();
        if (engine.isNamed() && !engine.canRead(vector.get()))
            return "module " + engine.getName() + " does not read " + MODULE + " (it is loaded in another layer); resolve it "
                    + "with the engine, e.g. start java with " + FLAG;
        return null;
    }
}
