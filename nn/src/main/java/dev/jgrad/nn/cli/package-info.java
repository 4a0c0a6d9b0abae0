/** The {@code jgrad} command line (picocli): train, eval, devices, demo. */
package dev.jgrad.nn.cli;
