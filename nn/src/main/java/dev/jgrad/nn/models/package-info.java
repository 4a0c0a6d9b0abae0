/** The course's models: softmax regression, MLP, LeNet-5, LeNet with batch norm, a small CNN. */
package dev.jgrad.nn.models;
