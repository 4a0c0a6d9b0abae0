package dev.jgrad.nn.train;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Module;

/**
 * Multi-step prediction with an autoregressive model that maps the past {@code tau} values
 * {@code (N, tau)} to the next one {@code (N, 1)}: the k-step-ahead prediction of {@code x_t}
 * starts from the observations {@code x_{t-k-tau+1} .. x_{t-k}} and feeds each prediction back as
 * the newest input, k times. Errors compound with k, which is the course's point.
 */
public final class Forecast {
    private Forecast() {}

    /**
     * The k-step-ahead predictions for every {@code k} in {@code 1..maxSteps} at once, as the
     * course computes them: row {@code i} of the table starts with the observations
     * {@code x[i .. i + tau - 1]}, and column {@code tau + j} is the model's prediction from
     * columns {@code j .. j + tau - 1}. So column {@code tau + k - 1} of row {@code i} is the
     * k-step-ahead prediction of {@code x[i + tau + k - 1]}.
     *
     * @return {@code table[k - 1][i]}, the k-step prediction of {@code x[i + tau + k - 1]}, for
     *         {@code i} in {@code 0 .. series.length - tau - maxSteps}
     */
    public static float[][] kStepAhead(Module model, float[] series, int tau, int maxSteps, Device device) {
        int rows = series.length - tau - maxSteps + 1;
        if (tau < 1 || maxSteps < 1 || rows < 1)
            throw new IllegalArgumentException("kStepAhead: a series of " + series.length + " values, tau " + tau
                    + " and " + maxSteps + " steps leave no row to predict");
        int cols = tau + maxSteps;
        float[] table = new float[rows * cols];
        for (int i = 0; i < rows; i++) System.arraycopy(series, i, table, i * cols, tau);
        try (GradMode.Scope noGrad = GradMode.disable()) {
            for (int j = 0; j < maxSteps; j++) {
                float[] in = new float[rows * tau];
                for (int i = 0; i < rows; i++) System.arraycopy(table, i * cols + j, in, i * tau, tau);
                float[] out;
                try (MemoryScope scope = MemoryScope.open()) {
                    out = model.forward(Tensor.of(device, in, rows, tau)).reshape(rows).toArray();
                }
                for (int i = 0; i < rows; i++) table[i * cols + tau + j] = out[i];
            }
        }
        float[][] result = new float[maxSteps][rows];
        for (int k = 0; k < maxSteps; k++)
            for (int i = 0; i < rows; i++) result[k][i] = table[i * cols + tau + k];
        return result;
    }

    /** The mean squared error of {@code predicted} against {@code series[offset ..]}. */
    public static double mse(float[] predicted, float[] series, int offset) {
        double s = 0;
        for (int i = 0; i < predicted.length; i++) {
            double e = predicted[i] - series[offset + i];
            s += e * e;
        }
        return s / predicted.length;
    }
}
