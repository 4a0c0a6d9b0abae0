/**
 * The looped CPU kernel set: plain scalar loops, one loop nest per op, single-threaded. It is the
 * readable reference that the vectorized kernels and the GPU kernels are benchmarked against.
 */
package dev.jgrad.engine.cpu.looped;
