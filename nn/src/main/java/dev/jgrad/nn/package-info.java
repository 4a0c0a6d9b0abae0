/**
 * jgrad's nn library: for now the command-line entry point and the linear-regression demo built
 * from tensors and autograd alone.
 */
package dev.jgrad.nn;
