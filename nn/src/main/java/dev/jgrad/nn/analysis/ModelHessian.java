package dev.jgrad.nn.analysis;

import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

import java.util.List;

/**
 * The loss of a model over a dataset as a function of its flattened parameters
 * {@code theta (P)} (the parameters in {@link Module#parameters()} order, each row-major), with
 * its gradient and Hessian-vector products.
 *
 * <p>The loss is the mean over the dataset: each batch's loss (itself a batch mean) is weighted by
 * the batch's size {@code x.size(0)}. The dataset is any {@code Iterable} of {@code {x, y}} pairs,
 * walked once per evaluation, so a lazy loader works as well as a list.
 *
 * <p><b>Hessian-vector products</b> use central differences of float32 gradients, accumulated in
 * double: {@code H v ~ (g(theta + r v) - g(theta - r v)) / (2 r)} with
 * {@code r = fdScale (1 + ||theta||) / ||v||}. The truncation error is {@code O(r^2)} (third
 * derivatives), the rounding error about {@code eps_f32 (|g| + ||H|| |theta|) / r}
 * ({@code eps_f32 = 6e-8}: both the gradient and the perturbed parameters are rounded to float32);
 * they balance near {@code r ~ eps_f32^(1/3) ~ 4e-3} in units of the parameters' scale.
 * Measured (test {@code HessianVectorProductTest}: 4-5-3 tanh MLP with cross-entropy, 43 parameters,
 * against a dense Hessian from central differences of an independent float64 gradient; worst
 * relative error {@code ||Hv - H_ref v|| / ||H_ref v||} over 8 random directions, two seeds):
 * <pre>
 *   fdScale  1e-4    3e-4    1e-3 (default)  3e-3    1e-2    3e-2
 *   error    6e-4    1.5e-4  6e-5            1e-4    1e-3    1e-2
 *            (rounding dominates)            (truncation dominates)
 * </pre>
 * The test asserts under 5e-4 at the default.
 *
 * <p>While an instance is open the model is in evaluation mode (running batch-norm statistics,
 * no dropout) and its parameters move as the analysis probes them; {@link #close()} restores the
 * parameters bit for bit and the previous training/evaluation mode, and leaves every parameter's
 * gradient cleared. Use it in try-with-resources. Not thread-safe.
 */
public final class ModelHessian implements SymmetricOperator, AutoCloseable {
    /** The loss of one batch: a rank-0 tensor (usually a batch mean) from the model, inputs and targets. */
    @FunctionalInterface
    public interface BatchLoss {
        Tensor loss(Module model, Tensor x, Tensor y);
    }

    /** The default relative finite-difference step (see the class comment for its measured error). */
    public static final double DEFAULT_FD_SCALE = 1e-3;

    private final Module model;
    private final Iterable<Tensor[]> batches;
    private final BatchLoss loss;
    private final List<Parameter> params;
    private final float[][] saved;
    private final boolean wasTraining;
    private final double[] theta;
    private final double fdScale;
    private double[] gradientAtTheta;
    private long gradientEvaluations;
    private boolean closed;

    /**
     * Snapshots the parameters and switches the model to evaluation mode.
     *
     * @param batches {@code {x (N, ...), y (N, ...)}} pairs on the model's device
     * @param fdScale relative finite-difference step, e.g. {@link #DEFAULT_FD_SCALE}
     */
    public ModelHessian(Module model, Iterable<Tensor[]> batches, BatchLoss loss, double fdScale) {
        if (!(fdScale > 0)) throw new IllegalArgumentException("ModelHessian: fdScale must be > 0, got " + fdScale);
        this.model = model;
        this.batches = batches;
        this.loss = loss;
        this.fdScale = fdScale;
        this.params = model.parameters();
        if (params.isEmpty()) throw new IllegalArgumentException("ModelHessian: the model has no parameters");
        saved = new float[params.size()][];
        long n = 0;
        for (int i = 0; i < saved.length; i++) {
            saved[i] = params.get(i).value().toArray();
            n += saved[i].length;
        }
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("ModelHessian: " + n + " parameters is too many");
        theta = new double[(int) n];
        int at = 0;
        for (float[] s : saved)
            for (float f : s) theta[at++] = f;
        wasTraining = model.isTraining();
        model.eval();
    }

    /** P, the number of scalar parameters. */
    public int dim() {
        return theta.length;
    }

    /** The parameters at which the analysis is done, flattened (a copy). */
    public double[] theta() {
        return theta.clone();
    }

    /** Gradient evaluations (full passes over the dataset with backward) so far; an HVP costs two. */
    public long gradientEvaluations() {
        return gradientEvaluations;
    }

    /** The dataset loss at theta. */
    public double loss() {
        return lossAt(theta);
    }

    /** The dataset loss at {@code point (P)}; the parameters return to theta afterwards. */
    public double lossAt(double[] point) {
        checkOpen();
        load(point);
        try (var noGrad = GradMode.disable()) {
            double total = 0, weight = 0;
            for (Tensor[] batch : batches) {
                double w = batchSize(batch[0]);
                total += w * loss.loss(model, batch[0], batch[1]).item();
                weight += w;
            }
            if (weight == 0) throw new IllegalArgumentException("ModelHessian: the dataset is empty");
            return total / weight;
        } finally {
            load(theta);
        }
    }

    /** The dataset gradient at theta (cached; a copy). */
    public double[] gradient() {
        if (gradientAtTheta == null) gradientAtTheta = gradientAt(theta);
        return gradientAtTheta.clone();
    }

    /** The dataset gradient at {@code point (P)}, accumulated in double; parameters return to theta. */
    public double[] gradientAt(double[] point) {
        checkOpen();
        load(point);
        try {
            double[] g = new double[theta.length];
            double weight = 0;
            model.zeroGrad();
            for (Tensor[] batch : batches) {
                double w = batchSize(batch[0]);
                Tensor l = loss.loss(model, batch[0], batch[1]);
                if (l.numel() != 1) throw new IllegalArgumentException("ModelHessian: the loss must be one value, got "
                        + java.util.Arrays.toString(l.shape()));
                l.backward();
                int at = 0;
                for (Parameter p : params) {
                    Tensor grad = p.grad();
                    int n = p.value().numel();
                    if (grad != null) {
                        float[] gf = grad.toArray();
                        for (int i = 0; i < n; i++) g[at + i] += w * gf[i];
                    }
                    at += n;
                }
                model.zeroGrad();
                weight += w;
            }
            if (weight == 0) throw new IllegalArgumentException("ModelHessian: the dataset is empty");
            for (int i = 0; i < g.length; i++) g[i] /= weight;
            gradientEvaluations++;
            return g;
        } finally {
            load(theta);
        }
    }

    /** {@code H v} by central differences of the gradient (see the class comment for the error). */
    @Override
    public double[] apply(double[] v) {
        if (v.length != theta.length)
            throw new IllegalArgumentException("ModelHessian.apply: vector of length " + v.length + ", the model has "
                    + theta.length + " parameters");
        double vn = Vectors.norm(v);
        if (vn == 0) return new double[v.length];
        double r = fdScale * (1 + Vectors.norm(theta)) / vn;
        double[] plus = gradientAt(Vectors.plus(theta, r, v));
        double[] minus = gradientAt(Vectors.plus(theta, -r, v));
        double[] out = new double[v.length];
        for (int i = 0; i < out.length; i++) out[i] = (plus[i] - minus[i]) / (2 * r);
        return out;
    }

    /** Restores the parameters bit for bit and the model's mode; clears parameter gradients. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try (var noGrad = GradMode.disable()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor value = params.get(i).value();
                value.copyFrom(Tensor.of(value.device(), saved[i], value.shape()));
            }
        }
        model.zeroGrad();
        if (wasTraining) model.train();
    }

    private void load(double[] point) {
        if (point.length != theta.length)
            throw new IllegalArgumentException("ModelHessian: point of length " + point.length + ", the model has "
                    + theta.length + " parameters");
        try (var noGrad = GradMode.disable()) {
            int at = 0;
            for (Parameter p : params) {
                Tensor value = p.value();
                float[] f = new float[value.numel()];
                for (int i = 0; i < f.length; i++) f[i] = (float) point[at + i];
                at += f.length;
                value.copyFrom(Tensor.of(value.device(), f, value.shape()));
            }
        }
    }

    private static double batchSize(Tensor x) {
        return x.rank() == 0 ? 1 : x.size(0);
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("ModelHessian: already closed; the parameters were restored");
    }
}
