/**
 * Tests of the nn library: optimizers and schedules against textbook formulas, modules, losses,
 * data loading, IDX and safetensors files (including corrupt ones), and end-to-end training on the
 * committed Fashion-MNIST subset.
 */
package dev.jgrad.tests.nn;
