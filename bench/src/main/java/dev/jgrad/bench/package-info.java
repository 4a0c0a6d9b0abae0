/**
 * JMH benchmarks. {@link dev.jgrad.bench.KernelBench} compares the looped and the vectorized CPU
 * kernel sets side by side in one run.
 */
package dev.jgrad.bench;
