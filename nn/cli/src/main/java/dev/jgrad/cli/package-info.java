/** The {@code jgrad} command line (picocli): train, eval, critical, surface, devices, demo. */
package dev.jgrad.cli;
