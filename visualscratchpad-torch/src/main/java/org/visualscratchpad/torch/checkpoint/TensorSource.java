package org.visualscratchpad.torch.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.visualscratchpad.safetensors.DType;
import org.visualscratchpad.safetensors.SafetensorsCheckpoint;
import org.visualscratchpad.safetensors.TensorInfo;

/**
 * Read access to the tensors of a checkpoint (one safetensors file or a sharded folder), by name,
 * over the project's memory-mapped reader. Internal seam between the model loaders and {@link
 * SafetensorsCheckpoint}.
 */
final class TensorSource implements AutoCloseable {
  private final SafetensorsCheckpoint checkpoint;

  private TensorSource(SafetensorsCheckpoint checkpoint) {
    this.checkpoint = checkpoint;
  }

  static TensorSource open(Path dirOrFile) {
    return new TensorSource(SafetensorsCheckpoint.open(dirOrFile));
  }

  List<String> names() {
    return checkpoint.names();
  }

  long[] shape(String name) {
    return checkpoint.info(name).shape().stream().mapToLong(Long::longValue).toArray();
  }

  /** The file holding {@code name} when the checkpoint is one file, else the folder (for messages). */
  Path fileOf(String name) {
    List<Path> files = checkpoint.files();
    return files.size() == 1 ? files.get(0) : checkpoint.source();
  }

  /**
   * Tensor {@code name} as a float32 NDArray in {@code manager}: F32 straight from the mapped file
   * (no Java copy), F16 / BF16 / F64 widened in Java one tensor at a time (never handed to DJL as
   * BF16, which aborts the JVM).
   */
  NDArray load(NDManager manager, String name, long[] shape) {
    TensorInfo info = checkpoint.info(name);
    if (info.dtype() == DType.F32) {
      ByteBuffer buf = checkpoint.byteBuffer(name);
      return manager.create(buf, new Shape(shape), DataType.FLOAT32);
    }
    return manager.create(checkpoint.floats(name), new Shape(shape));
  }

  @Override
  public void close() {
    checkpoint.close();
  }
}
