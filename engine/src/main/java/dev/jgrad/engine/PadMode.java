package dev.jgrad.engine;

/**
 * How {@link Tensor#pad} fills the border, as PyTorch's {@code F.pad} modes. For a dimension of
 * size {@code n} and a position {@code q} outside {@code [0, n)} (counted from the first element
 * of the input):
 * <ul>
 *   <li>{@link #CONSTANT}: the given value; negative padding crops;</li>
 *   <li>{@link #REFLECT}: the mirror image without repeating the edge, {@code -q} or
 *       {@code 2(n-1) - q} (padding must be smaller than {@code n});</li>
 *   <li>{@link #REPLICATE}: the nearest edge element (the dimension must not be empty);</li>
 *   <li>{@link #CIRCULAR}: wrapped around, {@code q mod n} (padding at most {@code n}).</li>
 * </ul>
 */
public enum PadMode {
    CONSTANT, REFLECT, REPLICATE, CIRCULAR
}
