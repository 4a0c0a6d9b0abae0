package dev.jgrad.conformance;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jgrad.engine.Backend;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.PoolGeometry;
import dev.jgrad.engine.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * NaN and +/-Inf inputs against PyTorch's answers, committed under
 * {@code tests/conformance/src/main/resources/naninf/} by {@code tests/conformance/src/main/python/gen_naninf.py} (see its header for
 * the format and how to rerun it). Every case runs on every device of {@link Device#all()}, one
 * test per (device, op, case), named like {@code softmax[rows (16, 37) along dim 1] on cpu-looped}.
 *
 * <p>What must match: NaN position for position, infinities exactly, indices exactly, finite
 * values to float32 rounding ({@code |got - want| <= 1e-6 + 1e-5 |want|}; the sign of a zero is
 * not checked). Gradients are of {@code y.backward(grad_out)} with the file's fixed upstream
 * gradient. Where jgrad's documented rule differs from PyTorch's (which NaN of a max-pooling
 * window wins), the file holds both and this test checks jgrad's, and that the two differ only
 * where the rule decides.
 */
class NanInfTest {

    private static final String[] OPS = {
            "maximum", "minimum", "clamp", "abs", "relu", "max_dim", "argmax", "max_pool2d", "softmax", "log_softmax"};
    private static final double ATOL = 1e-6, RTOL = 1e-5;
    /**
     * {@code -Djgrad.test.naninf.repeat=N} runs each case N times, so that the hot loops are
     * compiled by C2 (whose Vector API intrinsics could treat NaN unlike the interpreter) before
     * the last runs are checked too.
     */
    private static final int REPEAT = Integer.getInteger("jgrad.test.naninf.repeat", 1);

    private record Case(String op, String torch, JsonObject json) {
        String name() {
            return json.get("name").getAsString();
        }
    }

    private static JsonObject load(String op) {
        String path = "/naninf/" + op + ".json";
        try (InputStream in = NanInfTest.class.getResourceAsStream(path)) {
            if (in == null) throw new AssertionError("missing test resource " + path + "; run gen_naninf.py");
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(path, e);
        }
    }

    static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        for (String op : OPS) {
            JsonObject doc = load(op);
            String torch = doc.get("torch_version").getAsString();
            for (JsonElement c : doc.getAsJsonArray("cases")) all.add(new Case(op, torch, c.getAsJsonObject()));
        }
        return all;
    }

    @TestFactory
    Stream<DynamicNode> everyCaseOnEveryDevice() {
        List<Case> cases = cases();
        Stream<DynamicNode> run = Conformance.devices().stream().map(d -> DynamicContainer.dynamicContainer(
                "PyTorch " + cases.get(0).torch() + " NaN/Inf cases on " + d.name(),
                cases.stream().map(c -> DynamicTest.dynamicTest(c.op() + "[" + c.name() + "] on " + d.name(),
                        () -> {
                            for (int i = 0; i < REPEAT; i++) run(c, d);
                        }))));
        Stream<DynamicNode> skipped = Conformance.unavailable().entrySet().stream().map(e -> DynamicTest.dynamicTest(
                "NaN/Inf cases on " + e.getKey(), () -> Assumptions.abort(e.getKey() + " is not available: " + e.getValue())));
        return Stream.concat(run, skipped);
    }

    // ------------------------------------------------------------------ the cases

    private static void run(Case c, Device d) {
        JsonObject j = c.json(), in = j.getAsJsonObject("inputs"), out = j.getAsJsonObject("outputs");
        JsonObject params = j.has("params") ? j.getAsJsonObject("params") : new JsonObject();
        boolean grad = j.has("grad") && j.get("grad").getAsBoolean();
        String title = c.op() + "[" + c.name() + "] on " + d.name();
        switch (c.op()) {
            case "maximum", "minimum" -> {
                Tensor a = tensor(d, in.getAsJsonObject("a")).requiresGrad(grad);
                Tensor b = tensor(d, in.getAsJsonObject("b")).requiresGrad(grad);
                Tensor y = c.op().equals("maximum") ? a.maximum(b) : a.minimum(b);
                check(title, "forward", y, out.getAsJsonObject("y"));
                if (grad) {
                    y.backward(tensor(d, j.getAsJsonObject("grad_out")));
                    check(title, "gradient of a", a.grad(), out.getAsJsonObject("grad_a"));
                    check(title, "gradient of b", b.grad(), out.getAsJsonObject("grad_b"));
                }
            }
            case "clamp", "abs", "relu", "softmax", "log_softmax" -> {
                Tensor x = tensor(d, in.getAsJsonObject("x")).requiresGrad(true);
                Tensor y = switch (c.op()) {
                    case "clamp" -> x.clamp(number(params.get("min")), number(params.get("max")));
                    case "abs" -> x.abs();
                    case "relu" -> x.relu();
                    case "softmax" -> x.softmax(params.get("dim").getAsInt());
                    default -> x.logSoftmax(params.get("dim").getAsInt());
                };
                check(title, "forward", y, out.getAsJsonObject("y"));
                y.backward(tensor(d, j.getAsJsonObject("grad_out")));
                check(title, "gradient", x.grad(), out.getAsJsonObject("grad_x"));
            }
            case "max_dim" -> {
                int dim = params.get("dim").getAsInt();
                boolean keepdim = params.get("keepdim").getAsBoolean();
                Tensor x = tensor(d, in.getAsJsonObject("x")).requiresGrad(true);
                Tensor y = x.max(dim, keepdim);
                check(title, "values", y, out.getAsJsonObject("values"));
                check(title, "indices (argmax of the same dim)", x.argmax(dim, keepdim), out.getAsJsonObject("indices"));
                y.backward(tensor(d, j.getAsJsonObject("grad_out")));
                check(title, "gradient", x.grad(), out.getAsJsonObject("grad_x"));
            }
            case "argmax" -> {
                Tensor x = tensor(d, in.getAsJsonObject("x"));
                check(title, "indices", x.argmax(params.get("dim").getAsInt(), params.get("keepdim").getAsBoolean()),
                        out.getAsJsonObject("indices"));
            }
            case "max_pool2d" -> {
                int k = params.get("kernel").getAsInt(), s = params.get("stride").getAsInt(), p = params.get("padding").getAsInt();
                JsonObject xj = in.getAsJsonObject("x");
                Tensor x = tensor(d, xj).requiresGrad(true);
                Tensor y = x.maxPool2d(k, s, p);
                check(title, "forward", y, out.getAsJsonObject("y"));
                int[] shape = shape(xj);
                PoolGeometry g = new PoolGeometry(shape[0], shape[1], shape[2], shape[3], k, k, s, s, p, p);
                compare(title, "argmax indices (Backend.maxPool2d)", poolIndices(d.backend(), values(xj), g),
                        out.getAsJsonObject("indices"));
                y.backward(tensor(d, j.getAsJsonObject("grad_out")));
                check(title, "gradient", x.grad(), out.getAsJsonObject("grad_x"));
                onlyMultiNaNWindowsDiffer(title, values(xj), shape, out);
            }
            default -> throw new AssertionError("no runner for op " + c.op());
        }
    }

    /** The argmax buffer of one Backend.maxPool2d call: what the Tensor API keeps for the backward. */
    private static float[] poolIndices(Backend be, float[] x, PoolGeometry g) {
        int outN = g.n() * g.c() * g.outH() * g.outW();
        Buffer xb = be.allocate(x.length), ob = be.allocate(outN), ab = be.allocate(outN);
        try {
            be.copyIn(x, 0, xb, 0, x.length);
            be.maxPool2d(xb, ob, ab, g);
            float[] idx = new float[outN];
            be.copyOut(ab, 0, idx, 0, outN);
            return idx;
        } finally {
            be.free(xb);
            be.free(ob);
            be.free(ab);
        }
    }

    /**
     * The data's own check: jgrad's first-NaN indices and PyTorch's last-NaN indices differ only
     * where both point at a NaN (a window with two or more), so the rest is PyTorch's answer as is.
     */
    private static void onlyMultiNaNWindowsDiffer(String title, float[] x, int[] shape, JsonObject out) {
        float[] rule = values(out.getAsJsonObject("indices")), torch = values(out.getAsJsonObject("indices_torch"));
        int planeIn = shape[2] * shape[3], planeOut = rule.length / (shape[0] * shape[1]);
        for (int o = 0; o < rule.length; o++) {
            if (rule[o] == torch[o]) continue;
            int base = o / planeOut * planeIn;
            if (!Float.isNaN(x[base + (int) rule[o]]) || !Float.isNaN(x[base + (int) torch[o]]) || rule[o] > torch[o])
                throw new AssertionError(title + ": test data: output " + o + " has first-NaN index " + rule[o]
                        + " but PyTorch's " + torch[o] + ", and that is not the first and a later NaN of one window");
        }
    }

    // ------------------------------------------------------------------ data and comparison

    private static float number(JsonElement e) {
        return e.getAsJsonPrimitive().isString() ? Float.parseFloat(e.getAsString()) : e.getAsFloat();
    }

    private static int[] shape(JsonObject t) {
        var s = t.getAsJsonArray("shape");
        int[] out = new int[s.size()];
        for (int i = 0; i < out.length; i++) out[i] = s.get(i).getAsInt();
        return out;
    }

    /** A tensor's values: numbers as they are, "NaN", "Infinity" and "-Infinity" parsed. */
    private static float[] values(JsonObject t) {
        var data = t.getAsJsonArray("data");
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) out[i] = number(data.get(i));
        return out;
    }

    private static Tensor tensor(Device d, JsonObject t) {
        return Tensor.of(d, values(t), shape(t));
    }

    private static void check(String title, String what, Tensor got, JsonObject want) {
        if (got == null) throw new AssertionError(title + ": " + what + ": backward left no gradient");
        if (!Arrays.equals(got.shape(), shape(want)))
            throw new AssertionError(title + ": " + what + ": shape " + Arrays.toString(got.shape()) + ", PyTorch's "
                    + Arrays.toString(shape(want)));
        compare(title, what, got.toArray(), want);
    }

    private static boolean matches(float got, float want) {
        if (Float.isNaN(want) || Float.isNaN(got)) return Float.isNaN(want) && Float.isNaN(got);
        if (Float.isInfinite(want) || Float.isInfinite(got)) return got == want;
        return Math.abs((double) got - want) <= ATOL + RTOL * Math.abs(want);
    }

    /** Fails unless every element matches, listing the first mismatches with their positions. */
    static void compare(String title, String what, float[] got, JsonObject want) {
        float[] w = values(want);
        int[] shape = shape(want);
        if (got.length != w.length)
            throw new AssertionError(title + ": " + what + ": " + got.length + " values, PyTorch has " + w.length);
        List<Integer> bad = new ArrayList<>();
        for (int i = 0; i < w.length; i++) if (!matches(got[i], w[i])) bad.add(i);
        if (bad.isEmpty()) return;
        StringBuilder sb = new StringBuilder(title).append(": ").append(what).append(" differs from PyTorch at ")
                .append(bad.size()).append(" of ").append(w.length).append(" elements (index: got vs PyTorch):");
        for (int i = 0; i < Math.min(8, bad.size()); i++) {
            int at = bad.get(i);
            sb.append("\n  ").append(Arrays.toString(unravel(at, shape))).append(": ").append(got[at])
              .append(" vs ").append(w[at]);
        }
        throw new AssertionError(sb.toString());
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
