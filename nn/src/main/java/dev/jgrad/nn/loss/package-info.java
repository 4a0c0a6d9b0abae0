/** Losses: MSE, L1, cross-entropy from logits (fused, log-sum-exp stable), binary cross-entropy with logits. */
package dev.jgrad.nn.loss;
