package dev.jgrad.nn.train;

/**
 * MSE, RMSE, MAE and R² of predictions against targets, in double, in the targets' own units:
 * what a regression reports (no accuracy). R² is {@code 1 - SSE / SST} around the targets' own
 * mean (NaN when they are all equal).
 */
public record RegressionScores(double mse, double rmse, double mae, double r2) {

    public static RegressionScores of(double[] predicted, double[] target) {
        if (predicted.length != target.length || target.length == 0)
            throw new IllegalArgumentException("RegressionScores: " + predicted.length + " predictions for " + target.length + " targets");
        double mean = 0;
        for (double t : target) mean += t;
        mean /= target.length;
        double sse = 0, sae = 0, sst = 0;
        for (int i = 0; i < target.length; i++) {
            double e = predicted[i] - target[i];
            sse += e * e;
            sae += Math.abs(e);
            sst += (target[i] - mean) * (target[i] - mean);
        }
        double mse = sse / target.length;
        return new RegressionScores(mse, Math.sqrt(mse), sae / target.length, sst == 0 ? Double.NaN : 1 - sse / sst);
    }
}
