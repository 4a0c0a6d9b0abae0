/**
 * Losses: MSE, L1, cross-entropy from logits (fused, log-sum-exp stable; or with PyTorch's weight,
 * ignore_index, label_smoothing and reduction, {@link dev.jgrad.engine.CrossEntropyOptions}), NLL
 * loss and binary cross-entropy with logits.
 */
package dev.jgrad.nn.loss;
