/**
 * Optimizers, simplest first (SGD with momentum and weight decay, AdaGrad, RMSProp, Adam, AdamW),
 * each step one fused backend call over all parameters, and learning-rate schedules.
 */
package dev.jgrad.nn.optim;
