package dev.jgrad.example.backend;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.BackendProvider;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.Device;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A third-party backend in a dozen lines: device type {@code delegate}, one kernel set named
 * {@code delegate-looped}, whose every {@link Backend} call goes to jgrad's {@code cpu-looped}.
 * A real backend implements {@link Backend} with its own kernels; the point here is the plumbing a
 * backend author needs: the provider listed in
 * {@code META-INF/services/dev.jgrad.engine.BackendProvider}, found by {@link Device}, and the
 * conformance suite run on it (see this project's test).
 *
 * <p>{@link #breakBinary} makes {@code binary} (add, mul, ...) write a slightly wrong result, so that
 * the test can show the suite catching a broken kernel.
 */
public final class DelegatingBackendProvider implements BackendProvider {
    /** When set, every elementwise binary op's output is off by 1e-3 in its first element. */
    public static volatile boolean breakBinary;

    private Backend delegate;  // made on first use: Device is still loading its providers while this one is constructed

    @Override
    public String type() {
        return "delegate";
    }

    @Override
    public int rank() {
        return -1;  // never preferred by auto
    }

    @Override
    public boolean autoSelectable() {
        return false;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public synchronized Backend create() {
        if (delegate == null) delegate = delegate(cpuLooped());
        return delegate;
    }

    @Override
    public List<Backend> variants() {
        return List.of(create());
    }

    /** jgrad's cpu-looped kernel set, from the CPU provider (not through Device, which is asking us). */
    private static Backend cpuLooped() {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class))
            if (p.type().equals("cpu"))
                for (Backend b : p.variants()) if (b.name().equals("cpu-looped")) return b;
        throw new IllegalStateException("jgrad's CPU provider (cpu-looped) is not on the path");
    }

    private static Backend delegate(Backend looped) {
        InvocationHandler forward = (proxy, method, args) -> {
            if (method.getName().equals("name") && method.getParameterCount() == 0) return "delegate-looped";
            if (method.getDeclaringClass() == Object.class) return objectMethod(proxy, method, args);
            Object result;
            try {
                result = method.invoke(looped, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (breakBinary && method.getName().equals("binary")) corruptFirstOutput(looped, method, args);
            return result;
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, forward);
    }

    /** The deliberate bug: adds 1e-3 to element 0 of the op's output buffer (its last Buffer argument). */
    private static void corruptFirstOutput(Backend looped, Method method, Object[] args) {
        Buffer out = null;
        for (Object a : args) if (a instanceof Buffer b) out = b;
        if (out == null || out.capacity() == 0) return;
        float[] one = new float[1];
        looped.copyOut(out, 0, one, 0, 1);
        one[0] += 1e-3f;
        looped.copyIn(one, 0, out, 0, 1);
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "delegate-looped";
        };
    }
}
