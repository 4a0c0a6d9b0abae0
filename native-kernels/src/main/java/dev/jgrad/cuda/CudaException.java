package dev.jgrad.cuda;

import jcuda.driver.CUresult;

/** A CUDA driver or cuBLAS call that failed, naming what was attempted (a kernel and its launch shape). */
public final class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }

    /** Throws unless {@code code} is CUDA_SUCCESS. */
    static void check(int code, String what) {
        if (code != CUresult.CUDA_SUCCESS)
            throw new CudaException(what + " failed: " + CUresult.stringFor(code) + " (" + code + ")");
    }
}
