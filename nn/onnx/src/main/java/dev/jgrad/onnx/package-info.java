/** ONNX import: load a {@code .onnx} file ({@link dev.jgrad.onnx.OnnxModel#load}) and run it forward. */
package dev.jgrad.onnx;
