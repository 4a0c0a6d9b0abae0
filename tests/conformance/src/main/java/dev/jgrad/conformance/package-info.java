/**
 * The cross-backend conformance suite. Each op is an {@code OpSpec}: sample cases (awkward shapes,
 * strided views as inputs), the call through the Tensor API, an independent float64 reference
 * ({@code RefOps} over {@code Ref}) and a tolerance. {@code ConformanceTest} runs every case on
 * every device under test ({@link Conformance#devices()}); {@code Checker} compares the forward output with the
 * reference and each gradient with central differences of the reference. Inputs are fresh every
 * run; failures print the seed, and {@code -Djgrad.test.seed=} replays it.
 */
package dev.jgrad.conformance;
