/**
 * Layers, each a {@link dev.jgrad.nn.Module} whose forward is one call into engine ops: Linear,
 * Conv2d, MaxPool2d, AvgPool2d, BatchNorm1d/2d, Dropout, activations (ReLU, Sigmoid, Tanh), Flatten.
 */
package dev.jgrad.nn.layers;
