/**
 * Tests of the Hessian tools: planted spectra, verdicts, saddle escape, Hessian-vector products
 * against a dense finite-difference Hessian, and the error-surface explorer.
 */
package dev.jgrad.tests.analysis;
