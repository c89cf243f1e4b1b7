package org.visualscratchpad.torch.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.torch.trace.DenseTensor;

/**
 * A safetensors file read into plain Java values: the inputs and reference outputs of the
 * fixtures, pixel values, token ids.
 *
 * <pre>{@code
 * jshell> var in = TensorFile.open(Path.of("llava/inputs.safetensors"))
 * jshell> in.longs("single.input_ids")   // [1 x 27] flattened
 * }</pre>
 *
 * <p>Immutable after opening; thread-safe.
 */
public final class TensorFile {
  private final Path file;
  private final MappedSafetensors source;

  private TensorFile(Path file, MappedSafetensors source) {
    this.file = file;
    this.source = source;
  }

  /** Opens {@code file}. @throws CheckpointFormatException if it is missing or malformed */
  public static TensorFile open(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CheckpointFormatException(file, "is missing");
    }
    return new TensorFile(file, MappedSafetensors.open(file));
  }

  public Path file() {
    return file;
  }

  public Set<String> names() {
    return source.names();
  }

  public boolean contains(String name) {
    return source.names().contains(name);
  }

  /** The shape of {@code name}. */
  public long[] shape(String name) {
    check(name);
    return source.shape(name);
  }

  /** Tensor {@code name} widened to float32 (integers converted). */
  public DenseTensor tensor(String name) {
    check(name);
    return DenseTensor.adopt(source.shape(name), source.floats(name));
  }

  /** Integer tensor {@code name}, flattened. */
  public long[] longs(String name) {
    check(name);
    return source.longs(name);
  }

  /** A 2-D integer tensor as rows. */
  public long[][] longRows(String name) {
    long[] shape = shape(name);
    long[] flat = longs(name);
    int rows = shape.length == 1 ? 1 : (int) shape[0];
    int cols = flat.length / Math.max(rows, 1);
    long[][] out = new long[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * cols, out[r], 0, cols);
    }
    return out;
  }

  private void check(String name) {
    if (!source.names().contains(name)) {
      throw new CheckpointFormatException(file, "tensor " + name + " is missing (" + source.names().size()
          + " tensors present)");
    }
  }
}
