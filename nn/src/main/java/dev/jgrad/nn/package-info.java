/**
 * jgrad's nn library: {@link dev.jgrad.nn.Module}, {@link dev.jgrad.nn.Parameter},
 * {@link dev.jgrad.nn.Sequential} and {@link dev.jgrad.nn.Init} here; layers, losses, optimizers,
 * data, training, checkpoints, models and the command line in the subpackages.
 */
package dev.jgrad.nn;
