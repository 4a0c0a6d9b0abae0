/**
 * Optimizers, simplest first (SGD with momentum and weight decay, AdaGrad, RMSProp, Adam, AdamW),
 * each step one fused backend call over all parameters, with state that exports and imports for
 * checkpoints, and learning-rate schedules.
 */
package dev.jgrad.nn.optim;
