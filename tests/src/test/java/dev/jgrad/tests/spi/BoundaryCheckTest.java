package dev.jgrad.tests.spi;

import dev.jgrad.engine.AdaptivePoolGeometry;
import dev.jgrad.engine.Backend;
import dev.jgrad.engine.BinaryOp;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.ConvGeometry;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.engine.Pool3dGeometry;
import dev.jgrad.engine.PoolGeometry;
import dev.jgrad.engine.ReduceOp;
import dev.jgrad.engine.StridedView;
import dev.jgrad.engine.UnaryOp;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every buffer-taking {@link Backend} method checks its sizes before it touches memory, on every
 * device of {@link Device#all()}: for each buffer argument of each method, a buffer one float
 * smaller than the documented size throws IllegalArgumentException naming the op and both sizes,
 * and no buffer of the call is written. The sizes each argument needs are written out here from
 * the {@link Backend} javadoc, not taken from the checks. Negative sizes, buffers of another
 * device and freed buffers are refused too.
 */
class BoundaryCheckTest {

    /** One method: its name in messages, each buffer argument with the floats it needs, and the call. */
    private record Call(String op, Map<String, Integer> needs, Consumer<Args> invoke) {}

    /** The buffers of one call, by argument name, and the backend to call. */
    private record Args(Backend be, Map<String, Buffer> buffers) {
        Buffer b(String name) {
            return buffers.get(name);
        }

        StridedView v(String name, int... shape) {
            return StridedView.contiguous(b(name), shape);
        }

        Buffer[] list(String name, int count) {
            Buffer[] out = new Buffer[count];
            for (int i = 0; i < count; i++) out[i] = b(name + "[" + i + "]");
            return out;
        }
    }

    private static Map<String, Integer> needs(Object... nameSize) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < nameSize.length; i += 2) m.put((String) nameSize[i], (Integer) nameSize[i + 1]);
        return m;
    }

    // conv: x (2, 3, 5, 5), weight (4, 3, 3, 3), out (2, 4, 3, 3); pool: x (2, 3, 4, 4), 2x2 windows -> (2, 3, 2, 2)
    private static final ConvGeometry CONV = new ConvGeometry(2, 3, 5, 5, 4, 3, 3, 1, 1, 0, 0);
    private static final PoolGeometry POOL = new PoolGeometry(2, 3, 4, 4, 2, 2, 2, 2, 0, 0);
    /** (2, 3, 3, 4, 4) -> (2, 3, 1, 2, 2): 288 floats in, 24 out. */
    private static final Pool3dGeometry POOL3 = Pool3dGeometry.of(2, 3, 3, 4, 4, 2, 2, 2, 2, 2, 2, 0, 0, 0);
    private static final AdaptivePoolGeometry ADAPTIVE = new AdaptivePoolGeometry(2, 3, 3, 4, 4, 1, 2, 2);
    private static final OptimizerStep ADAM = new OptimizerStep(OptimizerStep.Kind.ADAM, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1, 1f);

    private static final List<Call> CALLS = List.of(
            new Call("fill", needs("out", 7), a -> a.be.fill(a.b("out"), 7, 1f)),
            new Call("copyIn", needs("dst", 7), a -> a.be.copyIn(new float[7], 0, a.b("dst"), 0, 7)),
            new Call("copyOut", needs("src", 7), a -> a.be.copyOut(a.b("src"), 0, new float[7], 0, 7)),
            new Call("read", needs("src", 7), a -> a.be.read(a.b("src"), 6)),
            new Call("copyStrided", needs("src", 6, "dst", 6), a -> a.be.copyStrided(a.v("src", 2, 3), a.v("dst", 2, 3), new int[] {2, 3})),
            new Call("unary", needs("x", 7, "out", 7), a -> a.be.unary(UnaryOp.NEG, a.b("x"), a.b("out"), 7, 0, 0)),
            new Call("unaryBackward", needs("x", 7, "y", 7, "gy", 7, "gx", 7),
                    a -> a.be.unaryBackward(UnaryOp.EXP, a.b("x"), a.b("y"), a.b("gy"), a.b("gx"), 7, 0, 0)),
            new Call("binary", needs("a", 6, "b", 6, "out", 6),
                    a -> a.be.binary(BinaryOp.ADD, a.v("a", 2, 3), a.v("b", 2, 3), a.b("out"), new int[] {2, 3})),
            new Call("where", needs("cond", 6, "a", 6, "b", 6, "out", 6),
                    a -> a.be.where(a.v("cond", 2, 3), a.v("a", 2, 3), a.v("b", 2, 3), a.b("out"), new int[] {2, 3})),
            new Call("reduce", needs("x", 24, "out", 8), a -> a.be.reduce(ReduceOp.SUM, a.b("x"), a.b("out"), 2, 3, 4)),
            new Call("variance", needs("x", 24, "out", 8), a -> a.be.variance(a.b("x"), a.b("out"), 2, 3, 4, 1)),
            new Call("scatterMiddle", needs("index", 8, "g", 8, "gx", 24),
                    a -> a.be.scatterMiddle(a.b("index"), a.b("g"), a.b("gx"), 2, 3, 4)),
            // batch 2 of (3, 5) @ (5, 4), the batch entries 15 and 20 floats apart
            new Call("matmul", needs("a", 30, "b", 40, "c", 24),
                    a -> a.be.matmul(a.b("a"), a.b("b"), a.b("c"), 2, 3, 4, 5, false, false, 15, 20)),
            new Call("conv2d", needs("x", 150, "weight", 108, "bias", 4, "out", 72),
                    a -> a.be.conv2d(a.b("x"), a.b("weight"), a.b("bias"), a.b("out"), CONV)),
            new Call("conv2dBackwardInput", needs("gy", 72, "weight", 108, "gx", 150),
                    a -> a.be.conv2dBackwardInput(a.b("gy"), a.b("weight"), a.b("gx"), CONV)),
            new Call("conv2dBackwardWeight", needs("x", 150, "gy", 72, "gWeight", 108, "gBias", 4),
                    a -> a.be.conv2dBackwardWeight(a.b("x"), a.b("gy"), a.b("gWeight"), a.b("gBias"), CONV)),
            new Call("maxPool2d", needs("x", 96, "out", 24, "argmax", 24),
                    a -> a.be.maxPool2d(a.b("x"), a.b("out"), a.b("argmax"), POOL)),
            new Call("maxPool2dBackward", needs("gy", 24, "argmax", 24, "gx", 96),
                    a -> a.be.maxPool2dBackward(a.b("gy"), a.b("argmax"), a.b("gx"), POOL)),
            new Call("avgPool2d", needs("x", 96, "out", 24), a -> a.be.avgPool2d(a.b("x"), a.b("out"), POOL)),
            new Call("avgPool2dBackward", needs("gy", 24, "gx", 96), a -> a.be.avgPool2dBackward(a.b("gy"), a.b("gx"), POOL)),
            new Call("maxPool3d", needs("x", 288, "out", 24, "argmax", 24),
                    a -> a.be.maxPool3d(a.b("x"), a.b("out"), a.b("argmax"), POOL3)),
            new Call("maxPool3dBackward", needs("gy", 24, "argmax", 24, "gx", 288),
                    a -> a.be.maxPool3dBackward(a.b("gy"), a.b("argmax"), a.b("gx"), POOL3)),
            new Call("avgPool3d", needs("x", 288, "out", 24), a -> a.be.avgPool3d(a.b("x"), a.b("out"), POOL3)),
            new Call("avgPool3dBackward", needs("gy", 24, "gx", 288), a -> a.be.avgPool3dBackward(a.b("gy"), a.b("gx"), POOL3)),
            new Call("adaptiveAvgPool3d", needs("x", 288, "out", 24), a -> a.be.adaptiveAvgPool3d(a.b("x"), a.b("out"), ADAPTIVE)),
            new Call("adaptiveAvgPool3dBackward", needs("gy", 24, "gx", 288),
                    a -> a.be.adaptiveAvgPool3dBackward(a.b("gy"), a.b("gx"), ADAPTIVE)),
            new Call("adaptiveMaxPool3d", needs("x", 288, "out", 24, "argmax", 24),
                    a -> a.be.adaptiveMaxPool3d(a.b("x"), a.b("out"), a.b("argmax"), ADAPTIVE)),
            new Call("adaptiveMaxPool3dBackward", needs("gy", 24, "argmax", 24, "gx", 288),
                    a -> a.be.adaptiveMaxPool3dBackward(a.b("gy"), a.b("argmax"), a.b("gx"), ADAPTIVE)),
            new Call("softmax", needs("x", 24, "y", 24), a -> a.be.softmax(a.b("x"), a.b("y"), 2, 3, 4, false)),
            new Call("softmaxBackward", needs("y", 24, "gy", 24, "gx", 24),
                    a -> a.be.softmaxBackward(a.b("y"), a.b("gy"), a.b("gx"), 2, 3, 4, false)),
            new Call("crossEntropy", needs("logits", 12, "labels", 3, "loss", 1, "lse", 3),
                    a -> a.be.crossEntropy(a.b("logits"), a.b("labels"), a.b("loss"), a.b("lse"), 3, 4)),
            new Call("crossEntropyBackward", needs("logits", 12, "labels", 3, "lse", 3, "gLoss", 1, "gx", 12),
                    a -> a.be.crossEntropyBackward(a.b("logits"), a.b("labels"), a.b("lse"), a.b("gLoss"), a.b("gx"), 3, 4)),
            new Call("batchNorm", needs("x", 24, "gamma", 3, "beta", 3, "runMean", 3, "runVar", 3, "y", 24, "saveMean", 3,
                    "saveInvStd", 3),
                    a -> a.be.batchNorm(a.b("x"), a.b("gamma"), a.b("beta"), a.b("runMean"), a.b("runVar"), a.b("y"),
                            a.b("saveMean"), a.b("saveInvStd"), 2, 3, 4, 1e-5f, 0.1f, true)),
            new Call("batchNormBackward", needs("x", 24, "gy", 24, "gamma", 3, "saveMean", 3, "saveInvStd", 3, "gx", 24,
                    "gGamma", 3, "gBeta", 3),
                    a -> a.be.batchNormBackward(a.b("x"), a.b("gy"), a.b("gamma"), a.b("saveMean"), a.b("saveInvStd"),
                            a.b("gx"), a.b("gGamma"), a.b("gBeta"), 2, 3, 4, true)),
            new Call("dropout", needs("x", 7, "y", 7, "mask", 7), a -> a.be.dropout(a.b("x"), a.b("y"), a.b("mask"), 7, 0.5f, 42)),
            // two tensors of 5 and 6 floats, Adam: params, grads, m and v for each
            new Call("optimizerStep", needs("params[0]", 5, "params[1]", 6, "grads[0]", 5, "grads[1]", 6, "state1[0]", 5,
                    "state1[1]", 6, "state2[0]", 5, "state2[1]", 6),
                    a -> a.be.optimizerStep(ADAM, a.list("params", 2), a.list("grads", 2), a.list("state1", 2),
                            a.list("state2", 2), new int[] {5, 6})));

    @TestFactory
    List<DynamicContainer> anUndersizedBufferIsRefusedBeforeAnythingIsWritten() {
        List<DynamicContainer> out = new ArrayList<>();
        for (Device d : Device.all()) {
            List<DynamicTest> tests = new ArrayList<>();
            for (Call call : CALLS) {
                tests.add(DynamicTest.dynamicTest(call.op + " with its exact sizes runs", () -> runValid(d.backend(), call)));
                for (String arg : call.needs.keySet())
                    tests.add(DynamicTest.dynamicTest(call.op + " with " + arg + " one float short",
                            () -> undersized(d.backend(), call, arg)));
            }
            out.add(DynamicContainer.dynamicContainer("on " + d.name(), tests));
        }
        return out;
    }

    /** The call as documented: it must pass the checks (so that a failure below is the short buffer's). */
    private static void runValid(Backend be, Call call) {
        Map<String, Buffer> buffers = allocate(be, call, null);
        try {
            call.invoke.accept(new Args(be, buffers));
        } finally {
            buffers.values().forEach(be::free);
        }
    }

    private static void undersized(Backend be, Call call, String shortArg) {
        Map<String, Buffer> buffers = allocate(be, call, shortArg);
        try {
            Map<String, float[]> before = new LinkedHashMap<>();
            for (var e : buffers.entrySet()) {
                float[] marks = new float[e.getValue().capacity()];
                for (int i = 0; i < marks.length; i++) marks[i] = 1000 + i;  // labels, indices: out of range, never used
                be.copyIn(marks, 0, e.getValue(), 0, marks.length);
                before.put(e.getKey(), marks);
            }
            int need = call.needs.get(shortArg);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call.invoke.accept(new Args(be, buffers)),
                    call.op + " must refuse " + shortArg + " of " + (need - 1) + " floats");
            String msg = e.getMessage();
            assertTrue(msg.startsWith(call.op), "the message must start with the op " + call.op + ": " + msg);
            assertTrue(msg.contains(shortArg + " holds " + (need - 1) + " floats, needs " + need)
                            || msg.contains("of a buffer of " + (need - 1) + " floats"),
                    "the message must name " + shortArg + " and its sizes " + (need - 1) + " and " + need + ": " + msg);
            assertTrue(msg.contains(be.name()), "the message must name the device: " + msg);
            for (var b : buffers.entrySet()) {
                float[] now = new float[b.getValue().capacity()];
                be.copyOut(b.getValue(), 0, now, 0, now.length);
                assertArrayEquals(before.get(b.getKey()), now, call.op + ": " + b.getKey() + " was written by a refused call");
            }
        } finally {
            buffers.values().forEach(be::free);
        }
    }

    /** Every buffer of the call at its documented size, zero-filled (valid labels and indices), one short. */
    private static Map<String, Buffer> allocate(Backend be, Call call, String shortArg) {
        Map<String, Buffer> out = new LinkedHashMap<>();
        for (var e : call.needs.entrySet()) {
            int n = e.getKey().equals(shortArg) ? e.getValue() - 1 : e.getValue();
            Buffer b = be.allocate(n);
            be.fill(b, n, 0f);
            out.put(e.getKey(), b);
        }
        return out;
    }

    @TestFactory
    List<DynamicTest> negativeSizesAreRefusedNamingTheSize() {
        List<DynamicTest> out = new ArrayList<>();
        for (Device d : Device.all()) {
            Backend be = d.backend();
            out.add(DynamicTest.dynamicTest("on " + d.name(), () -> {
                Buffer b = be.allocate(64);
                try {
                    assertMessage(() -> be.allocate(-1), "allocate(numel -1)", "numel is negative");
                    assertMessage(() -> be.fill(b, -3, 0f), "fill(n -3)", "n is negative");
                    assertMessage(() -> be.matmul(b, b, b, 1, -2, 2, 2, false, false, 0, 0), "matmul(", "m is negative");
                    assertMessage(() -> be.matmul(b, b, b, 2, 2, 2, 2, false, false, -4, 0), "matmul(", "aBatchStride is negative");
                    assertMessage(() -> be.reduce(ReduceOp.SUM, b, b, 2, -1, 2), "reduce SUM(outer 2, r -1, inner 2)", "r is negative");
                    assertMessage(() -> be.copyIn(new float[4], -1, b, 0, 2), "copyIn(srcOffset -1", "srcOffset is negative");
                    assertMessage(() -> be.read(b, 64), "read(offset 64)", "src holds 64 floats, needs 65");
                    assertMessage(() -> be.copyStrided(StridedView.contiguous(b, new int[] {2}), StridedView.contiguous(b, new int[] {2}),
                            new int[] {-2}), "copyStrided(", "negative size");
                    // a view that reaches before element 0 of its buffer
                    assertMessage(() -> be.copyStrided(new StridedView(b, 2, new int[] {-3}), StridedView.contiguous(b, new int[] {2}),
                            new int[] {2}), "copyStrided(shape (2,))", "reaches elements -1..2");
                } finally {
                    be.free(b);
                }
            }));
        }
        return out;
    }

    @TestFactory
    List<DynamicTest> buffersOfAnotherDeviceAndFreedBuffersAreRefused() {
        List<Device> all = Device.all();
        List<DynamicTest> out = new ArrayList<>();
        for (Device d : all) {
            out.add(DynamicTest.dynamicTest("on " + d.name(), () -> {
                Backend be = d.backend();
                Buffer mine = be.allocate(8);
                Buffer freed = be.allocate(8);
                be.free(freed);
                try {
                    assertMessage(() -> be.unary(UnaryOp.NEG, freed, mine, 8, 0, 0), "unary NEG(n 8)",
                            "x (a ", "is not a live buffer of " + d.name());
                    assertMessage(() -> be.free(freed), "free()", "buffer (a ", "already freed");
                    assertMessage(() -> be.fill(null, 1, 0f), "fill(n 1)", "out is null");
                    for (Device other : all) {
                        if (other == d) continue;
                        Buffer theirs = other.backend().allocate(8);
                        try {
                            assertMessage(() -> be.unary(UnaryOp.NEG, mine, theirs, 8, 0, 0), "unary NEG(n 8)",
                                    "out (a ", "is not a live buffer of " + d.name());
                        } finally {
                            other.backend().free(theirs);
                        }
                    }
                } finally {
                    be.free(mine);
                }
            }));
        }
        return out;
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts)
            assertTrue(e.getMessage().contains(p), "the message must contain '" + p + "': " + e.getMessage());
        assertTrue(e.getMessage().startsWith(parts[0].split("[( ]")[0]), "the message must start with the op: " + e.getMessage());
    }
}
