package dev.jgrad.engine.cpu.vectorized;

import dev.jgrad.engine.BinaryOp;
import dev.jgrad.engine.UnaryOp;
import dev.jgrad.engine.cpu.ScalarMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The codes and scalar bodies of every elementwise map; the matching vector bodies are the switch
 * inside {@link MapDriver}'s loop (C2 keeps vectors in registers only when that switch is compiled
 * into the loop's own method). An op is an int code; operands are
 * {@code x, y, z} (unused ones are ignored) and scalar parameters {@code a, b}:
 * <ul>
 *   <li>{@link #unary}: {@code op(x; a, b)}</li>
 *   <li>{@link #derivative}: {@code z * op'(x)} with {@code y = op(x)} and {@code z} the output
 *       gradient</li>
 *   <li>{@link #binary}: {@code op(x, y)}</li>
 *   <li>{@link #WHERE}: {@code x != 0 ? y : z}</li>
 * </ul>
 */
final class MapOps {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    static final int UNARY = 0, DERIVATIVE = 16, BINARY = 32;
    static final int WHERE = 64;
    /** Softmax output {@code exp(x - y) / z} from the max {@code y} and the exp-sum {@code z}. */
    static final int SOFTMAX = 65;
    /** Log-softmax output {@code (x - y) - z} with {@code z} the log of the exp-sum. */
    static final int LOG_SOFTMAX = 66;
    /** Softmax backward {@code x (y - z)} from {@code x = out, y = gy, z = sum(gy out)}. */
    static final int SOFTMAX_BACKWARD = 67;
    /** Log-softmax backward {@code y - exp(x) z} from {@code x = out, y = gy, z = sum(gy)}. */
    static final int LOG_SOFTMAX_BACKWARD = 68;
    /** {@code exp(x - y) / z * a}: cross-entropy's softmax (row max y, exp-sum z) times the loss-gradient scale. */
    static final int EXP_SCALE = 69;
    /** Batch-norm output {@code c (x - a) b + d} (gamma, mean, invStd, beta as c, a, b, d). */
    static final int NORMALIZE = 70;
    /**
     * Training batch-norm input gradient from {@code x, y = gy}:
     * {@code c ((y - a) - (x - b) d)}, with {@code a = mean(gy)}, {@code b = mean},
     * {@code c = gamma invStd}, {@code d = invStd mean(gy xhat)}.
     */
    static final int NORMALIZE_BACKWARD = 71;

    static {
        // a unary's forward and derivative codes must not run into each other's range
        if (UnaryOp.values().length > DERIVATIVE || BinaryOp.values().length > WHERE - BINARY)
            throw new AssertionError("MapOps: more ops than map codes; widen the code ranges");
    }

    private MapOps() {}

    static int unary(UnaryOp op) { return UNARY + op.ordinal(); }

    static int derivative(UnaryOp op) { return DERIVATIVE + op.ordinal(); }

    static int binary(BinaryOp op) { return BINARY + op.ordinal(); }

    /** Number of array operands the op reads. */
    static int arity(int code) {
        if (code < DERIVATIVE) return 1;
        if (code < BINARY) return 3;
        if (code < WHERE) return 2;
        return switch (code) {
            case WHERE -> 3;
            case SOFTMAX, LOG_SOFTMAX, SOFTMAX_BACKWARD, LOG_SOFTMAX_BACKWARD -> 3;
            case NORMALIZE -> 1;
            default -> 2;
        };
    }

    /**
     * Whether the op runs through the scalar loop only: log and pow (except squaring), GELU, ELU
     * and softplus, and their derivatives where those need them, have no lane-wise form written
     * out in {@link LaneMath}; the Vector API's would give other bits once C2 compiles them. (They
     * still run on every core through the same driver.)
     */
    static boolean scalarOnly(int code, float a) {
        if (code < BINARY) {
            UnaryOp op = UNARIES[code < DERIVATIVE ? code : code - DERIVATIVE];
            boolean derivative = code >= DERIVATIVE;
            return switch (op) {
                case LOG -> !derivative;
                case POW -> derivative || a != 2f;
                // erf, erfc, expm1 and log1p have no lane-wise form in LaneMath; SiLU's derivative has its
                // sigmoid in double on the scalar path only
                case GELU, ELU, SOFTPLUS, ERF -> true;
                case SILU -> derivative;
                default -> false;
            };
        }
        return code < WHERE && BINARIES[code - BINARY] == BinaryOp.POW;
    }

    /** Whether the op's vector form is built on {@link LaneMath#exp} (run by {@code MapDriver.expRow}). */
    static boolean usesExp(int code) {
        if (code < DERIVATIVE) {
            UnaryOp op = UNARIES[code];
            return op == UnaryOp.EXP || op == UnaryOp.SIGMOID || op == UnaryOp.TANH || op == UnaryOp.SILU;
        }
        return code == SOFTMAX || code == LOG_SOFTMAX_BACKWARD || code == EXP_SCALE;
    }

    static final UnaryOp[] UNARIES = UnaryOp.values();
    static final BinaryOp[] BINARIES = BinaryOp.values();

    static float scalar(int code, float x, float y, float z, float a, float b, float c, float d) {
        if (code < DERIVATIVE) return ScalarMath.apply(UNARIES[code], x, a, b);
        if (code < BINARY) return z * ScalarMath.derivative(UNARIES[code - DERIVATIVE], x, y, a, b);
        if (code >= WHERE) {
            return switch (code) {
                case WHERE -> x != 0f ? y : z;
                case SOFTMAX -> (float) Math.exp(x - y) / z;
                case LOG_SOFTMAX -> x - y - z;
                case SOFTMAX_BACKWARD -> x * (y - z);
                case LOG_SOFTMAX_BACKWARD -> y - (float) Math.exp(x) * z;
                case EXP_SCALE -> (float) Math.exp(x - y) / z * a;
                case NORMALIZE -> c * (x - a) * b + d;
                case NORMALIZE_BACKWARD -> c * (y - a - (x - b) * d);
                default -> throw new IllegalStateException("map code " + code);
            };
        }
        return ScalarMath.apply(BINARIES[code - BINARY], x, y);
    }
}
