/**
 * The kernel API as an SPI: boundary size checks on every device ({@code BoundaryCheckTest}), the
 * {@code wrap} factories ({@code WrapTest}), tensors over buffers and buffers of tensors
 * ({@code TensorBufferTest}), user arrays kept out of the CPU pool ({@code PoolIsolationTest}),
 * providers that fail to load ({@code BrokenProviderTest}) and a JVM without the Vector API
 * ({@code NoVectorApiTest}); the last two run a child JVM ({@link dev.jgrad.tests.spi.ChildJvm}).
 */
package dev.jgrad.tests.spi;
