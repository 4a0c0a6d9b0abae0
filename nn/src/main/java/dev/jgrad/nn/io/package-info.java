/**
 * Files: {@link dev.jgrad.nn.io.SafeTensors} saves and loads a state dict
 * ({@code Map<String, Tensor>}, names as in {@link dev.jgrad.nn.Module#stateDict()}) in the
 * safetensors format that PyTorch's {@code safetensors} package reads and writes; a
 * {@link dev.jgrad.nn.io.Checkpoint} is a safetensors file of a training run's tensors with its
 * scalars in the metadata, which a {@link dev.jgrad.nn.train.Trainer} resumes from. Saving is
 * atomic and durable (a locked temporary file, synced, renamed into place, then the directory
 * synced), and removes the temporary files that killed saves of the same target left behind.
 * Loading validates the whole file before returning anything, in time linear in the file's header
 * (bounded number literals and nesting, a header of at most 100 MB), and a bad file's error names
 * the file and quotes at most 100 characters of any string from it.
 */
package dev.jgrad.nn.io;
