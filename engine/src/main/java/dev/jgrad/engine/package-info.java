/**
 * jgrad's engine: {@link dev.jgrad.engine.Tensor} (float32, views, broadcasting, autograd), the
 * {@link dev.jgrad.engine.Backend} contract every device implements (jgrad's kernel SPI, with its
 * stability promise; backends extend {@link dev.jgrad.engine.AbstractBackend}, which checks every
 * call's sizes at the boundary), and
 * {@link dev.jgrad.engine.Device} selection through {@link dev.jgrad.engine.BackendProvider}s found
 * with {@code ServiceLoader}.
 *
 * <h2>Threads</h2>
 * What a library user may do from several threads at once, on any device:
 * <ul>
 *   <li>train separate models on separate threads (one model, its optimizer and its tensors per
 *       thread); the backends, their memory pools, the CPU's worker pool and the CUDA context are
 *       shared and safe for that;</li>
 *   <li>run a shared model read-only in evaluation mode ({@code eval()}, no gradients) from several
 *       threads, as long as no thread trains it or changes its parameters meanwhile;</li>
 *   <li>open a {@link dev.jgrad.engine.MemoryScope} per thread: scopes belong to the thread that
 *       opened it and only release what that thread created.</li>
 * </ul>
 * What is not safe: two threads changing the same tensor, module or optimizer (training one model
 * from two threads, or {@code backward()} on one graph from two threads), and closing a tensor that
 * another thread is still using. {@code ThreadSafetyTest} runs two trainings and an evaluation at
 * once and checks each against the same run on one thread.
 */
package dev.jgrad.engine;
