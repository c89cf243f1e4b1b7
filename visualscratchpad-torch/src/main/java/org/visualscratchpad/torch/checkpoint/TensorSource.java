package org.visualscratchpad.torch.checkpoint;

import java.nio.file.Path;
import java.util.Set;

/**
 * Read access to the tensors of a checkpoint (one safetensors file or a sharded folder), by name.
 * Internal seam between the model loaders and the safetensors reader.
 */
interface TensorSource extends AutoCloseable {

  /** Every tensor name. */
  Set<String> names();

  /** The shape of {@code name}. */
  long[] shape(String name);

  /** The stored dtype name of {@code name}, e.g. {@code F32}, {@code F16}, {@code BF16}. */
  String dtype(String name);

  /** The file that holds {@code name} (for messages). */
  Path fileOf(String name);

  /** The values of {@code name} widened to float32, row-major. */
  float[] floats(String name);

  @Override
  void close();
}
