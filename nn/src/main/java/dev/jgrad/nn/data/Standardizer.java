package dev.jgrad.nn.data;

import java.util.Arrays;

/**
 * Per-feature standardisation {@code (x - mean) / std}, fitted on a training split only and then
 * applied unchanged to validation and test rows, so no statistic of held-out data leaks into
 * training. The std is the population one (as scikit-learn's StandardScaler); a constant feature
 * keeps std 1 (it becomes 0). Missing values (NaN) are either rejected, with the line and column
 * of the first, or imputed with the training mean (so they become 0).
 */
public final class Standardizer {
    /** What to do with a missing feature value. */
    public enum Missing { REJECT, MEAN }

    private final double[] mean, std;
    private final Missing missing;

    private Standardizer(double[] mean, double[] std, Missing missing) {
        this.mean = mean;
        this.std = std;
        this.missing = missing;
    }

    /** The means and stds of {@code train}'s features, over the values present. */
    public static Standardizer fit(CsvTable.Table train, Missing missing) {
        if (train.rows() == 0) throw new IllegalArgumentException("Standardizer: the training split of " + train.source() + " is empty");
        if (missing == Missing.REJECT) reject(train);
        int d = train.features().size();
        double[] mean = new double[d], std = new double[d];
        for (int f = 0; f < d; f++) {
            double sum = 0;
            int n = 0;
            for (double[] row : train.x()) if (!Double.isNaN(row[f])) { sum += row[f]; n++; }
            if (n == 0)
                throw new IllegalArgumentException("Standardizer: feature '" + train.features().get(f) + "' of " + train.source()
                        + " is missing in every training row; nothing to impute it with");
            mean[f] = sum / n;
            double ss = 0;
            for (double[] row : train.x()) if (!Double.isNaN(row[f])) ss += (row[f] - mean[f]) * (row[f] - mean[f]);
            double s = Math.sqrt(ss / n);
            std[f] = s > 0 ? s : 1;
        }
        return new Standardizer(mean, std, missing);
    }

    private static void reject(CsvTable.Table t) {
        String where = t.firstMissing();
        if (where != null)
            throw new IllegalArgumentException("CSV " + t.source() + ", " + where + ": a missing value (impute it with the training mean: --impute mean)");
    }

    /** {@code t}'s features standardised, row-major {@code (rows, features)} in double. */
    public double[][] transform(CsvTable.Table t) {
        if (t.features().size() != mean.length)
            throw new IllegalArgumentException("Standardizer: fitted on " + mean.length + " features, given " + t.features().size());
        if (missing == Missing.REJECT) reject(t);
        double[][] out = new double[t.rows()][mean.length];
        for (int r = 0; r < out.length; r++)
            for (int f = 0; f < mean.length; f++) {
                double v = t.x()[r][f];
                out[r][f] = Double.isNaN(v) ? 0 : (v - mean[f]) / std[f];
            }
        return out;
    }

    /** {@link #transform} as one float array, for a dataset. */
    public float[] transformFlat(CsvTable.Table t) {
        double[][] z = transform(t);
        float[] out = new float[z.length * mean.length];
        for (int r = 0; r < z.length; r++)
            for (int f = 0; f < mean.length; f++) out[r * mean.length + f] = (float) z[r][f];
        return out;
    }

    public double[] mean() { return mean.clone(); }

    public double[] std() { return std.clone(); }

    @Override
    public String toString() {
        return "Standardizer(mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) + ", missing " + missing + ")";
    }
}
