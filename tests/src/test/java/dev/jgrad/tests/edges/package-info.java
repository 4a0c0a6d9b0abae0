/**
 * The odd argument: sizes past what an int or a Java array can index (rejected up front, naming
 * the op, the shapes and the limit), slices with huge steps, NaN through relu, and the geometry
 * printed by conv and pooling validation messages.
 */
package dev.jgrad.tests.edges;
