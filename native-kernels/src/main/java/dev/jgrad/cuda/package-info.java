/**
 * The CUDA backend: JCuda's driver API loads the fatbins built from native-kernels, launches them
 * on one stream, and a caching allocator recycles device memory; cuBLAS (JCublas2) is the
 * selectable baseline for matmul. Registered by {@link dev.jgrad.cuda.CudaBackendProvider},
 * which never loads a JCuda native library on a machine without an NVIDIA driver.
 */
package dev.jgrad.cuda;
