/**
 * Files: {@link dev.jgrad.nn.io.SafeTensors} saves and loads a state dict
 * ({@code Map<String, Tensor>}, names as in {@link dev.jgrad.nn.Module#stateDict()}) in the
 * safetensors format that PyTorch's {@code safetensors} package reads and writes; a
 * {@link dev.jgrad.nn.io.Checkpoint} is a safetensors file of a training run's tensors with its
 * scalars in the metadata, which a {@link dev.jgrad.nn.train.Trainer} resumes from. Saving is
 * atomic (temporary file, then rename); loading validates the whole file before returning anything.
 */
package dev.jgrad.nn.io;
