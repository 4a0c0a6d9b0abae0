package dev.jgrad.engine;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Deterministic release of tensor memory: every tensor created on this thread while a scope is
 * open belongs to it, and closing the scope returns all their memory to the backends (on CUDA, to
 * the caching allocator), except for tensors passed to {@link #keep}. A training step in a scope
 * therefore leaves device memory where it found it:
 * <pre>{@code
 * try (MemoryScope step = MemoryScope.open()) {
 *     Tensor loss = model.forward(x).crossEntropy(y);
 *     loss.backward();        // parameter gradients are kept automatically
 *     optimizer.step();       // so is optimizer state
 *     lossValue = loss.item();
 * }                           // activations, saved tensors, temporaries: released here
 * }</pre>
 * A view made in the scope of a tensor from outside it holds a reference to that memory, which the
 * scope drops at its end. Scopes nest; a kept tensor moves to the enclosing scope. Using a released tensor throws
 * IllegalStateException. The Cleaner in each device allocator remains the backstop for tensors
 * created outside any scope and never closed.
 */
public final class MemoryScope implements AutoCloseable {
    private static final ThreadLocal<MemoryScope> CURRENT = new ThreadLocal<>();
    private final MemoryScope parent;
    private final Set<Storage> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Views made in this scope of memory from outside it: each drops its reference at close. */
    private final Set<Tensor> borrowed = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private MemoryScope(MemoryScope parent) {
        this.parent = parent;
    }

    /** Opens a scope on this thread; close it (try-with-resources) on the same thread. */
    public static MemoryScope open() {
        MemoryScope s = new MemoryScope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    static void register(Storage storage) {
        MemoryScope s = CURRENT.get();
        if (s != null) s.owned.add(storage);
    }

    static void registerView(Tensor view) {
        MemoryScope s = CURRENT.get();
        if (s != null && !s.owned.contains(view.storage)) s.borrowed.add(view);
    }

    /** A view is being closed by hand: its reference must not be dropped a second time at scope end. */
    static void forgetView(Tensor view) {
        for (MemoryScope s = CURRENT.get(); s != null; s = s.parent)
            if (s.borrowed.remove(view)) return;
    }

    /**
     * Lets {@code t}'s memory outlive the innermost open scope that owns it: it moves to that
     * scope's parent (or to no scope). Returns {@code t}.
     */
    public static Tensor keep(Tensor t) {
        for (MemoryScope s = CURRENT.get(); s != null; s = s.parent) {
            if (s.owned.remove(t.storage)) {
                if (s.parent != null) s.parent.owned.add(t.storage);
                break;
            }
            if (s.borrowed.remove(t)) {
                if (s.parent != null) s.parent.borrowed.add(t);
                break;
            }
        }
        return t;
    }

    /** Number of buffers this scope will release, plus references to outside buffers it will drop. */
    public int size() {
        return owned.size() + borrowed.size();
    }

    @Override
    public void close() {
        if (closed) return;
        if (CURRENT.get() != this)
            throw new IllegalStateException("MemoryScope: close scopes in the reverse order they were opened, on the same thread");
        closed = true;
        CURRENT.set(parent);
        for (Storage s : owned) s.releaseAll();
        for (Tensor t : borrowed) t.close();
        owned.clear();
        borrowed.clear();
    }
}
