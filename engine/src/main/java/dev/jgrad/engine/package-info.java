/**
 * jgrad's engine: {@link dev.jgrad.engine.Tensor} (float32, views, broadcasting, autograd), the
 * {@link dev.jgrad.engine.Backend} contract every device implements (jgrad's kernel SPI, with its
 * stability promise; backends extend {@link dev.jgrad.engine.AbstractBackend}, which checks every
 * call's sizes at the boundary), and
 * {@link dev.jgrad.engine.Device} selection through {@link dev.jgrad.engine.BackendProvider}s found
 * with {@code ServiceLoader}.
 */
package dev.jgrad.engine;
