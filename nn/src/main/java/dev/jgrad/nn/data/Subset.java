package dev.jgrad.nn.data;

/**
 * The examples {@code indices} of a parent dataset, in that order: example {@code i} of the
 * subset is example {@code indices[i]} of the parent. Features keep the parent's shape.
 */
public final class Subset implements Dataset {
    private final Dataset parent;
    private final int[] indices;

    public Subset(Dataset parent, int[] indices) {
        int n = parent.size();
        for (int index : indices)
            if (index < 0 || index >= n)
                throw new IndexOutOfBoundsException("subset: index " + index + " is outside [0, " + n + ")");
        this.parent = parent;
        this.indices = indices.clone();
    }

    /** The parent's indices of this subset's examples (a copy). */
    public int[] indices() {
        return indices.clone();
    }

    public Dataset parent() {
        return parent;
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int[] featureShape() {
        return parent.featureShape();
    }

    @Override
    public int featureSize() {
        return parent.featureSize();
    }

    @Override
    public void fetch(int[] which, float[] features, float[] labels) {
        Dataset.checkFetch("Subset.fetch", indices.length, parent.featureSize(), which, features, labels);
        int[] mapped = new int[which.length];
        for (int i = 0; i < which.length; i++) mapped[i] = indices[which[i]];
        parent.fetch(mapped, features, labels);
    }

    @Override
    public String toString() {
        return "Subset(" + indices.length + " of " + parent + ")";
    }
}
