package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

/**
 * A lookup table, as PyTorch's {@code nn.Embedding(num_embeddings, embedding_dim, padding_idx)}:
 * indices of any shape (integers stored as floats) give {@code (*indices.shape, embedding_dim)};
 * weight {@code (num_embeddings, embedding_dim)} starts N(0, 1), state dict {@code weight}. The
 * row {@code padding_idx} (if given) starts at zero and gets no gradient, so it stays what it is.
 * The lookup is {@link Tensor#indexSelect}, its gradient a scatter-add in index order.
 */
public final class Embedding extends Module {
    public final Parameter weight;
    private final int paddingIdx;

    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, null);
    }

    /** {@code paddingIdx} in {@code [-numEmbeddings, numEmbeddings)} (negative counts from the end, as PyTorch), or null for none. */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        if (numEmbeddings < 1 || embeddingDim < 1)
            throw new IllegalArgumentException("Embedding: num_embeddings and embedding_dim must be >= 1, got " + numEmbeddings + ", " + embeddingDim);
        int p = paddingIdx == null ? -1 : paddingIdx;
        if (paddingIdx != null && (p < -numEmbeddings || p >= numEmbeddings))
            throw new IllegalArgumentException("Embedding: padding_idx " + p + " is outside [" + -numEmbeddings + ", " + numEmbeddings + ")");
        this.paddingIdx = paddingIdx == null ? -1 : p < 0 ? p + numEmbeddings : p;
        Tensor w = Init.normal(1f, numEmbeddings, embeddingDim);
        if (this.paddingIdx >= 0) {
            float[] v = w.toArray();
            java.util.Arrays.fill(v, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim, 0f);
            w = Tensor.of(v, numEmbeddings, embeddingDim);
        }
        weight = parameter("weight", w);
    }

    @Override
    public Tensor forward(Tensor indices) {
        Tensor w = weight.value();
        if (paddingIdx >= 0 && GradMode.isEnabled() && w.requiresGrad()) {
            // the padding row's value, with its gradient cut: where(row is padding, w detached, w)
            float[] mask = new float[w.size(0)];
            mask[paddingIdx] = 1f;
            w = Tensor.where(Tensor.of(w.device(), mask, w.size(0), 1), w.detach(), w);
        }
        int[] shape = java.util.Arrays.copyOf(indices.shape(), indices.rank() + 1);
        shape[indices.rank()] = w.size(1);
        return w.indexSelect(0, indices.reshape(-1)).reshape(shape);
    }

    @Override
    public String toString() {
        return "Embedding(" + weight.shape()[0] + ", " + weight.shape()[1] + (paddingIdx >= 0 ? ", padding_idx=" + paddingIdx : "") + ")";
    }
}
