/**
 * The peer engines of {@link dev.jgrad.bench.compare.CompareBench}: PyTorch CPU through DJL and
 * Deeplearning4j/ND4J CPU, compiled only with the {@code peers} Maven profile.
 */
package dev.jgrad.bench.peers;
