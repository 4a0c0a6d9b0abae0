/**
 * Seeing why training is stuck: Hessian-vector products of any model's loss
 * ({@link dev.jgrad.nn.analysis.ModelHessian}), spectrum tools on flattened parameter vectors
 * ({@link dev.jgrad.nn.analysis.Spectrum}: Lanczos extremes and top-k, Hutchinson trace,
 * stochastic Lanczos quadrature density), a critical-point verdict
 * ({@link dev.jgrad.nn.analysis.CriticalPoints}, {@link dev.jgrad.nn.analysis.CriticalPointReport}),
 * and an error-surface explorer that runs the real optimizers on 2-parameter toy problems and
 * draws their paths ({@link dev.jgrad.nn.analysis.SurfaceExplorer}). The command line reaches all
 * of it through {@link dev.jgrad.nn.analysis.AnalysisCommands}.
 *
 * <p>Everything spectral works in double precision on {@code double[]} vectors of length
 * {@code P} (the model's parameter count), with the Hessian seen only through a
 * {@link dev.jgrad.nn.analysis.SymmetricOperator}.
 */
package dev.jgrad.nn.analysis;
