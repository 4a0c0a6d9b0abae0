/**
 * The fast CPU kernel set: Vector API SIMD loops, cache-blocked packed GEMM and both cores through
 * one shared pool. Every method of {@link dev.jgrad.engine.Backend} is implemented here, with the
 * same semantics as the readable reference in {@code dev.jgrad.engine.cpu.looped}.
 *
 * <p>The loop machinery is written once: {@link dev.jgrad.engine.cpu.vectorized.MapDriver} runs
 * every elementwise map (contiguous, broadcast or strided), {@link
 * dev.jgrad.engine.cpu.vectorized.ReduceDriver} every sum, max and dot product; the op families
 * ({@code Reductions}, {@code Gemm}, {@code Conv}, {@code Pooling}, {@code Softmax}, {@code Norm})
 * plug into them. {@link dev.jgrad.engine.cpu.vectorized.Parallel} is the one thread pool.
 *
 * <p>Same inputs, same bits: every sum has one order, fixed by the sizes and the vector width
 * alone (never by the thread count or by which compiled form of a loop runs), and the lane sums
 * and transcendentals whose result the Vector API leaves to the platform are written out in
 * {@link dev.jgrad.engine.cpu.vectorized.LaneMath}.
 */
package dev.jgrad.engine.cpu.vectorized;
