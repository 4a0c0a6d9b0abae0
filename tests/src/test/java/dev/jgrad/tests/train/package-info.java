/**
 * Tests of the training loop's extension points: listeners and their events, pluggable metrics
 * against float64 references, the width-fitting progress bar, the generator's exported state, and
 * resumable checkpoints (bit-identical losses after a resume, clear errors for checkpoints that do
 * not fit).
 */
package dev.jgrad.tests.train;
