/**
 * Same inputs, same bits: every reduction-bearing kernel repeated through the JIT's warm-up, a
 * LeNet-BN training run repeated in one JVM, and the CPU kernels at one and at two threads.
 */
package dev.jgrad.tests.determinism;
