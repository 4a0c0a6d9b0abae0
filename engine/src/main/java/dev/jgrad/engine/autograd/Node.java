package dev.jgrad.engine.autograd;

import dev.jgrad.engine.Tensor;

/**
 * One recorded op in the graph: its name, its inputs, and the rule that turns the gradient of its
 * output into gradients of its inputs (micrograd's {@code _backward}, one per primitive).
 */
public final class Node {
    private final String op;
    private Tensor[] inputs;
    private Rule rule;

    public Node(String op, Rule rule, Tensor... inputs) {
        this.op = op;
        this.rule = rule;
        this.inputs = inputs;
    }

    /** The op that made the tensor, e.g. {@code matmul}. */
    public String op() {
        return op;
    }

    /** The op's inputs (empty once the graph is released). */
    public Tensor[] inputs() {
        return inputs;
    }

    /** Gradients of the inputs, in order; an entry may be null for an input that needs none. */
    public Tensor[] apply(Tensor gradOutput) {
        if (rule == null)
            throw new IllegalStateException(op + ": the graph was released by an earlier backward()");
        return rule.backward(gradOutput);
    }

    /** Drops the inputs and the tensors the rule saved, so their memory can go. */
    public void release() {
        rule = null;
        inputs = new Tensor[0];
    }

    public boolean released() {
        return rule == null;
    }

    /** The backward rule of one op. */
    @FunctionalInterface
    public interface Rule {
        Tensor[] backward(Tensor gradOutput);
    }
}
