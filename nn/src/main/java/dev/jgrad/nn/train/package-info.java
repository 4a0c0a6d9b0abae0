/**
 * The training loop ({@link dev.jgrad.nn.train.Trainer}) and its extension points:
 * {@link dev.jgrad.nn.train.TrainingListener}s that hear every step and epoch, pluggable
 * {@link dev.jgrad.nn.train.Metric}s (accuracy; MSE, MAE and R²), the terminal
 * {@link dev.jgrad.nn.train.ProgressBar} (a listener), the {@link dev.jgrad.nn.train.History}
 * (CSV), early stopping, and checkpoints that resume a run bit for bit.
 */
package dev.jgrad.nn.train;
