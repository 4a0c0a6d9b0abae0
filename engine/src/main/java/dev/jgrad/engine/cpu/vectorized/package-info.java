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
 */
package dev.jgrad.engine.cpu.vectorized;
