package dev.jgrad.engine;

/**
 * Elementwise functions of one tensor. Some take scalar parameters {@code a} and {@code b}:
 * <ul>
 *   <li>{@link #POW}: {@code x^a};</li>
 *   <li>{@link #CLAMP}: {@code min(max(x, a), b)};</li>
 *   <li>{@link #GELU}: {@code x Phi(x)} with {@code Phi} the standard normal CDF when {@code a = 0}
 *       (PyTorch's {@code approximate='none'}), and {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}
 *       when {@code a = 1} ({@code approximate='tanh'});</li>
 *   <li>{@link #SILU}: {@code x sigmoid(x)};</li>
 *   <li>{@link #ELU}: {@code x > 0 ? x : a (exp(x) - 1)} ({@code a} = alpha);</li>
 *   <li>{@link #LEAKY_RELU}: {@code x > 0 ? x : a x} ({@code a} = negative slope);</li>
 *   <li>{@link #SOFTPLUS}: {@code log(1 + exp(a x)) / a}, or {@code x} where {@code a x > b}
 *       ({@code a} = beta, {@code b} = threshold, as in PyTorch);</li>
 *   <li>{@link #ERF}: the error function {@code 2/sqrt(pi) * integral_0^x exp(-t^2) dt} (ONNX's
 *       {@code Erf}, which PyTorch's exact GELU exports to).</li>
 * </ul>
 * The derivatives at the kinks follow PyTorch: ELU and leaky ReLU take the left side's slope at 0.
 *
 * <p>{@link #POW} follows PyTorch's {@code pow(Tensor, Scalar)}: {@code a = 0.5} is {@code sqrt(x)}
 * and {@code a = -0.5} is {@code 1 / sqrt(x)} (which differ from C's {@code pow} at -0 and -inf),
 * and its derivative is 0 everywhere when {@code a = 0} (not {@code 0 * x^-1}, NaN at 0).
 */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH, POW, CLAMP,
    GELU, SILU, ELU, LEAKY_RELU, SOFTPLUS, ERF
}
