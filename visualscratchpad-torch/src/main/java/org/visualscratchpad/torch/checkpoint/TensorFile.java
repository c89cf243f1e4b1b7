package org.visualscratchpad.torch.checkpoint;

import java.nio.file.Path;
import java.util.List;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.safetensors.TensorInfo;
import org.visualscratchpad.torch.trace.DenseTensor;

/**
 * A safetensors file read into plain Java values: the inputs and reference outputs of the
 * fixtures, pixel values, token ids.
 *
 * <pre>{@code
 * jshell> var in = TensorFile.open(Path.of("llava/inputs.safetensors"))
 * jshell> in.longRows("single.input_ids")   // [1][27]
 * }</pre>
 *
 * <p>Thread-safe for reads.
 */
public final class TensorFile implements AutoCloseable {
  private final SafetensorsFile file;

  private TensorFile(SafetensorsFile file) {
    this.file = file;
  }

  /** Opens {@code path}. @throws CheckpointFormatException if it is missing or malformed */
  public static TensorFile open(Path path) {
    return new TensorFile(SafetensorsFile.open(path));
  }

  public Path file() {
    return file.path();
  }

  public List<String> names() {
    return file.names();
  }

  public boolean contains(String name) {
    return file.contains(name);
  }

  /** The shape of {@code name}. */
  public long[] shape(String name) {
    return info(name).shape().stream().mapToLong(Long::longValue).toArray();
  }

  /** Floating-point tensor {@code name} widened to float32, or an integer tensor converted. */
  public DenseTensor tensor(String name) {
    TensorInfo info = info(name);
    if (info.dtype().isFloatingPoint()) {
      return DenseTensor.adopt(shape(name), file.floats(name));
    }
    long[] v = file.longs(name);
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = v[i];
    }
    return DenseTensor.adopt(shape(name), f);
  }

  /** Integer tensor {@code name}, flattened. */
  public long[] longs(String name) {
    info(name);
    return file.longs(name);
  }

  /** A 2-D integer tensor as rows (a 1-D one as a single row). */
  public long[][] longRows(String name) {
    long[] shape = shape(name);
    long[] flat = longs(name);
    int rows = shape.length == 1 ? 1 : (int) shape[0];
    int cols = rows == 0 ? 0 : flat.length / rows;
    long[][] out = new long[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * cols, out[r], 0, cols);
    }
    return out;
  }

  private TensorInfo info(String name) {
    if (!file.contains(name)) {
      throw new CheckpointFormatException(file.path(), "tensor " + name + " is missing (" + file.names().size()
          + " tensors present)");
    }
    return file.info(name);
  }

  @Override
  public void close() {
    file.close();
  }
}
