package dev.jgrad.engine.cpu;

import dev.jgrad.engine.Buffer;

/** A CPU buffer: a plain Java float array. */
public record CpuBuffer(float[] data) implements Buffer {
    @Override
    public int capacity() {
        return data.length;
    }
}
