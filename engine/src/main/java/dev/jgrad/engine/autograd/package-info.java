/**
 * Reverse-mode automatic differentiation: {@link dev.jgrad.engine.autograd.Node} records one op
 * and its backward rule; {@link dev.jgrad.engine.autograd.GradMode} turns recording off in a scope.
 * {@code Tensor.backward()} walks the recorded graph in reverse topological order (iteratively, so
 * deep graphs do not overflow the stack), accumulates gradients, and releases the graph.
 */
package dev.jgrad.engine.autograd;
