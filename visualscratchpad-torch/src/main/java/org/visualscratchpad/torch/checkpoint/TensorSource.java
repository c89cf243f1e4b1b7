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

  org.visualscratchpad.safetensors.TensorInfo info(String name) {
    return checkpoint.info(name);
  }

  DType dtype(String name) {
    return checkpoint.info(name).dtype();
  }

  void readBytes(String name, long offset, ByteBuffer dst) {
    checkpoint.readBytes(name, offset, dst);
  }

  ByteBuffer bytes(String name) {
    return checkpoint.byteBuffer(name);
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
    return widened(manager, name, info, shape);
  }

  private static final int CHUNK = 1 << 20;   // elements widened per step

  /**
   * Widens an F16 / BF16 / F64 tensor chunk by chunk into a native float32 tensor: no Java array of
   * the whole tensor, one 4 MiB direct buffer, and the mapped source is released right after.
   */
  private NDArray widened(NDManager manager, String name, TensorInfo info, long[] shape) {
    long numel = info.numel();
    DType dtype = info.dtype();
    if (dtype != DType.F16 && dtype != DType.BF16 && dtype != DType.F64) {
      throw new org.visualscratchpad.CheckpointFormatException(fileOf(name), "tensor " + name + " has dtype " + dtype
          + "; weights must be F32, F16, BF16 or F64");
    }
    ByteBuffer src = checkpoint.byteBuffer(name);
    try {
      NDArray out = manager.zeros(new Shape(numel), DataType.FLOAT32);
      ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK * 4).order(java.nio.ByteOrder.nativeOrder());
      for (long start = 0; start < numel; start += CHUNK) {
        int n = (int) Math.min(CHUNK, numel - start);
        chunk.clear();
        for (int i = 0; i < n; i++) {
          long at = start + i;
          float v;
          switch (dtype) {
            case F16 -> v = org.visualscratchpad.safetensors.Half.f16ToFloat(src.getShort((int) (at * 2)));
            case BF16 -> v = org.visualscratchpad.safetensors.Half.bf16ToFloat(src.getShort((int) (at * 2)));
            default -> v = (float) src.getDouble((int) (at * 8));
          }
          chunk.putFloat(v);
        }
        chunk.flip();
        try (NDArray part = manager.create(chunk, new Shape(n), DataType.FLOAT32)) {
          out.set(new ai.djl.ndarray.index.NDIndex(start + ":" + (start + n)), part);
        }
      }
      return out.reshape(new Shape(shape));
    } finally {
      Unmapper.release(src);
    }
  }

  @Override
  public void close() {
    checkpoint.close();
  }
}
