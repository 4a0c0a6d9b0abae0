/**
 * jgrad against the engines a user would otherwise pick, on the same float32 workloads in one run:
 * {@link dev.jgrad.bench.compare.Workload} (what is measured and its work per call),
 * {@link dev.jgrad.bench.compare.Inputs} (the same bytes for everyone),
 * {@link dev.jgrad.bench.compare.Engine} (jgrad on a device, or a peer), the JMH benchmark
 * {@link dev.jgrad.bench.compare.CompareBench} with its agreement check before timing, and
 * {@link dev.jgrad.bench.compare.BenchMain}, which runs everything and writes the report.
 */
package dev.jgrad.bench.compare;
