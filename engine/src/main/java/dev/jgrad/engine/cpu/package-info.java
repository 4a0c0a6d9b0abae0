/**
 * The pure-Java CPU backend: {@link dev.jgrad.engine.cpu.CpuBackend} (memory as {@code float[]})
 * and its two kernel sets, the looped reference and the Vector API fast path.
 */
package dev.jgrad.engine.cpu;
