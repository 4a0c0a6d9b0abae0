/**
 * Tests of jgrad-onnx against real PyTorch: the graphs {@code torch.onnx.export} wrote
 * (resources {@code onnx/}, exported by {@code nn/onnx/src/test/python/export_models.py}) run on
 * every device and match PyTorch's outputs, the unsupported ones fail naming their node, bad files
 * fail naming the file; and checkpoints shared with PyTorch in both directions (resources
 * {@code torch-interop/}, by {@code nn/onnx/src/test/python/torch_checkpoints.py}).
 */
package dev.jgrad.tests.onnx;
