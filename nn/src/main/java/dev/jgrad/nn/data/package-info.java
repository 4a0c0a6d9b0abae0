/**
 * Data for training: {@link dev.jgrad.nn.data.Dataset} (examples fetched by index into host
 * float arrays), {@link dev.jgrad.nn.data.ArrayDataset} and {@link dev.jgrad.nn.data.Subset},
 * the {@link dev.jgrad.nn.data.DataLoader} that shuffles, batches and prefetches on one
 * background thread, the IDX file reader and Fashion-MNIST, per-channel normalization,
 * train/validation and k-fold splits, and a synthetic regression set.
 *
 * <p>Features of one example have a fixed {@code featureShape}; a batch of {@code B} examples is
 * {@code x (B, ...featureShape)} and {@code y (B,)}. Labels are floats; class labels hold integer
 * values.
 */
package dev.jgrad.nn.data;
