/**
 * The command line in-process ({@code Cli.run}, {@code BenchMain.run}): every option's help and
 * default, the version, ranges and choices rejected before any data is read, outputs checked before
 * training, relative paths resolved against the user's directory; and the incremental kernel build
 * the launcher relies on. The launcher itself is checked by {@code tests/cli/check-launcher.sh}.
 */
package dev.jgrad.tests.cli;
