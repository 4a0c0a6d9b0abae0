package dev.jgrad.engine;

import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.engine.autograd.Node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;

/** The backward walk: reverse topological order, gradient accumulation, graph release. */
final class Backprop {
    private Backprop() {}

    static void run(Tensor root, Tensor gradient) {
        if (!root.requiresGrad())
            throw new IllegalStateException("backward: tensor " + Shapes.str(root.shape)
                    + " does not require grad (no input of the graph has requiresGrad(true))");
        if (root.gradFn() != null && root.gradFn().released())
            throw new IllegalStateException("backward: the graph of this tensor was released by an earlier backward()");
        if (!Arrays.equals(gradient.shape, root.shape))
            throw new IllegalArgumentException("backward: gradient shape " + Shapes.str(gradient.shape)
                    + " differs from tensor shape " + Shapes.str(root.shape));
        ElementwiseOps.sameDevice("backward", root, gradient);

        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> pending = new IdentityHashMap<>();
        pending.put(root, gradient);
        try (GradMode.Scope ignored = GradMode.disable()) {
            for (Tensor t : order) {
                Tensor g = pending.remove(t);
                if (g == null) continue;
                Node node = t.gradFn();
                if (node == null) {
                    // A leaf owns a dense copy, so no two leaves ever share a gradient buffer, and
                    // the gradient outlives the memory scope that ran backward.
                    Tensor previous = t.grad();
                    Tensor accumulated = previous == null ? ElementwiseOps.copyOf(g) : previous.add(g);
                    t.setGrad(MemoryScope.keep(accumulated));
                    if (previous != null) previous.close();
                    // every consumer of the leaf came before it in this order: its gradient is final
                    t.gradientReady();
                    continue;
                }
                Tensor[] inputs = node.inputs();
                Tensor[] grads = node.apply(g);
                for (int i = 0; i < inputs.length; i++) {
                    Tensor in = inputs[i];
                    if (in == null || !in.requiresGrad() || grads[i] == null) continue;
                    if (!Arrays.equals(grads[i].shape, in.shape))
                        throw new IllegalStateException(node.op() + ": backward rule produced a gradient of shape "
                                + Shapes.str(grads[i].shape) + " for an input of shape " + Shapes.str(in.shape));
                    pending.merge(in, grads[i], Tensor::add);
                }
            }
        }
        for (Tensor t : order) t.releaseNode();
    }

    /** Tensors reachable from {@code root} through grad-requiring inputs, each after all its consumers. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> postOrder = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        // Each frame: a tensor and how many of its inputs have been pushed so far.
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = t.gradFn() == null ? new Tensor[0] : t.gradFn().inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad() && visited.add(in)) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                postOrder.add(t);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }
}
