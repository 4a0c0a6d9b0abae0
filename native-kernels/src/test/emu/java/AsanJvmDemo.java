// Loads a jgemu library into this JVM with FFM, exactly as the Java CUDA backend would, and launches
// real jgrad kernels while the JVM allocates and collects garbage.
//   java --enable-native-access=ALL-UNNAMED AsanJvmDemo.java LIB ok    launches that are correct: exit 0
//   java --enable-native-access=ALL-UNNAMED AsanJvmDemo.java LIB oob   then one out-of-bounds fill: under
//                                                                      the ASan build the JVM must die
// Run by asan-jvm-demo.sh with LD_PRELOAD=libasan.so and the ASAN_OPTIONS from README.md.
import static java.lang.foreign.ValueLayout.*;

import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class AsanJvmDemo {
    static MethodHandle find, launch, malloc, free, sanitized;
    static Arena arena = Arena.ofShared();

    static MethodHandle h(SymbolLookup s, String name, FunctionDescriptor d) {
        return Linker.nativeLinker().downcallHandle(s.find(name).orElseThrow(), d);
    }

    static long kernel(String module, String name) throws Throwable {
        long k = (long) find.invokeExact(arena.allocateFrom(module), arena.allocateFrom(name));
        if (k < 0) throw new IllegalStateException("no kernel " + module + "/" + name);
        return k;
    }

    static MemorySegment dev(long floats) throws Throwable {
        return ((MemorySegment) malloc.invokeExact(floats * 4)).reinterpret(floats * 4);
    }

    // args: MemorySegment (a device pointer), Integer, Long or Float
    static int run(long k, int gx, int gy, int gz, int bx, Object... args) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(ADDRESS, Math.max(1, args.length));
            for (int i = 0; i < args.length; i++) {
                MemorySegment v = switch (args[i]) {
                    case MemorySegment m -> a.allocateFrom(ADDRESS, m);
                    case Integer x -> a.allocateFrom(JAVA_INT, x);
                    case Long x -> a.allocateFrom(JAVA_LONG, x);
                    case Float x -> a.allocateFrom(JAVA_FLOAT, x);
                    default -> throw new IllegalArgumentException();
                };
                params.setAtIndex(ADDRESS, i, v);
            }
            MemorySegment err = a.allocate(4096);
            int rc = (int) launch.invokeExact(k, gx, gy, gz, bx, 1, 1, 0L, params, err, 4096L);
            if (rc != 0) System.out.println("launch rc " + rc + ": " + err.getString(0));
            return rc;
        }
    }

    public static void main(String[] argv) throws Throwable {
        SymbolLookup s = SymbolLookup.libraryLookup(Path.of(argv[0]), arena);
        find = h(s, "jgemu_find", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS));
        launch = h(s, "jgemu_launch", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
        malloc = h(s, "jgemu_malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
        free = h(s, "jgemu_free", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        sanitized = h(s, "jgemu_sanitized", FunctionDescriptor.of(JAVA_INT));
        System.out.println("loaded " + argv[0] + ", sanitized=" + (int) sanitized.invokeExact());
        long fill = kernel("elementwise", "fill"), softmax = kernel("softmax", "softmax_rows"),
                sgemm = kernel("matmul", "sgemm_v3");
        int n = 4096;
        MemorySegment p = dev(n), x = dev(64 * 300), y = dev(64 * 300), c = dev(128 * 128);
        List<long[]> garbage = new ArrayList<>();
        for (int it = 0; it < 60; it++) {
            for (int j = 0; j < 2000; j++) garbage.add(new long[64 + j % 100]);
            if (garbage.size() > 50_000) garbage.clear();
            if (it % 10 == 0) System.gc();
            if (run(fill, 16, 1, 1, 256, p, (long) n, (float) it) != 0) System.exit(1);
            for (int i = 0; i < n; i++)
                if (p.getAtIndex(JAVA_FLOAT, i) != it) throw new AssertionError("fill " + i);
            if (run(fill, 8, 1, 1, 256, x, 64L * 300, 0.5f) != 0) System.exit(1);
            if (run(softmax, 64, 1, 1, 128, x, y, 64, 300, 0) != 0) System.exit(1);
            if (Math.abs(y.getAtIndex(JAVA_FLOAT, 77) - 1f / 300) > 1e-6) throw new AssertionError("softmax");
            if (run(sgemm, 1, 1, 1, 256, c, c, c, 128, 128, 128, 0, 0, 0L, 0L, 1) != 0) System.exit(1);
        }
        System.out.println("60 rounds of fill/softmax_rows/sgemm_v3 with GC: ok");
        if (argv.length > 1 && argv[1].equals("oob")) {
            System.out.println("launching fill with n = " + (n + 1) + " on a " + n + "-float allocation");
            int rc = run(fill, 16, 1, 1, 256, p, (long) n + 1, 1f);
            System.out.println("the out-of-bounds launch returned " + rc + " (the JVM survived)");
            System.exit(rc == 2 ? 3 : 4);
        }
        int rc = (int) free.invokeExact(p);
        System.exit(rc);
    }
}
