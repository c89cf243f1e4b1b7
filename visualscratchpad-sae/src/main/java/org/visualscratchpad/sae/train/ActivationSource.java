package org.visualscratchpad.sae.train;

import java.util.Iterator;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Where training activations come from: a stream of {@code [batchSize x d_in]} blocks, endless
 * (cycling epochs) and deterministic for a given seed, so that a resumed run can skip the batches it
 * already used. {@link SafetensorsActivationSource} reads stored activations; an image source that
 * runs a {@link org.visualscratchpad.vision.VisionEncoder} up to a hook point plugs in the same way.
 *
 * <pre>{@code
 * jshell> try (ActivationSource src = SafetensorsActivationSource.open(Path.of("acts"))) {
 *    ...>   FloatMatrix first = src.batches(4096, 42).next();   // [4096 x d_in]
 *    ...> }
 * }</pre>
 */
public interface ActivationSource extends AutoCloseable {

  /** Width of every row. */
  int dIn();

  /**
   * An endless, seeded iterator of {@code [batchSize x d_in]} batches.
   *
   * @param batchSize rows per batch
   * @param seed seed of the row shuffling
   */
  Iterator<FloatMatrix> batches(int batchSize, long seed);

  /** A one-line description for logs (folder, tensors, rows). */
  String describe();

  /** Releases files or models; never throws. */
  @Override
  void close();
}
