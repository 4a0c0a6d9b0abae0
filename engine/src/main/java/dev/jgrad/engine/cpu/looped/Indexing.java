package dev.jgrad.engine.cpu.looped;

/**
 * Gather and scatter-add along the middle axis of {@code (outer, r, inner)}, one loop nest each;
 * the index is a strided view over {@code (outer, rOut, inner)} (offset {@code io}, strides
 * {@code is0, is1, is2}).
 */
final class Indexing {
    private Indexing() {}

    /** The index at one position, or -1 when it is outside {@code [0, r)} (NaN included). */
    static int at(float v, int r) {
        return v >= 0f && v < r ? (int) v : -1;
    }

    static void gather(float[] x, float[] index, int io, int[] is, float[] out, int outer, int r, int inner, int rOut,
                       float fill) {
        int k = 0;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < rOut; j++)
                for (int i = 0; i < inner; i++, k++) {
                    int src = at(index[io + o * is[0] + j * is[1] + i * is[2]], r);
                    out[k] = src < 0 ? fill : x[(o * r + src) * inner + i];
                }
    }

    static void scatterAdd(float[] index, int io, int[] is, float[] src, float[] out, int outer, int r, int inner, int rOut) {
        java.util.Arrays.fill(out, 0, outer * r * inner, 0f);
        int k = 0;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < rOut; j++)
                for (int i = 0; i < inner; i++, k++) {
                    int dst = at(index[io + o * is[0] + j * is[1] + i * is[2]], r);
                    if (dst >= 0) out[(o * r + dst) * inner + i] += src[k];
                }
    }
}
