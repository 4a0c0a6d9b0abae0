/**
 * Layers, each a {@link dev.jgrad.nn.Module} whose forward is one call into engine ops: Linear,
 * Conv2d, MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d, AdaptiveMaxPool1d/2d/3d,
 * BatchNorm1d/2d, Dropout, activations (ReLU, Sigmoid, Tanh), Flatten.
 */
package dev.jgrad.nn.layers;
