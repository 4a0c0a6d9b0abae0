/**
 * The training loop ({@link dev.jgrad.nn.train.Trainer}), its {@link dev.jgrad.nn.train.History}
 * (CSV and PNG chart), the terminal progress bar and early stopping.
 */
package dev.jgrad.nn.train;
