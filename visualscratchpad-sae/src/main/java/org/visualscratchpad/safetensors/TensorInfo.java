package org.visualscratchpad.safetensors;

import java.util.List;

/**
 * One tensor's entry in a safetensors header.
 *
 * <pre>{@code
 * jshell> SafetensorsFile.open(Path.of("model.safetensors")).info("vision_tower.vision_model.embeddings.class_embedding")
 * $1 ==> TensorInfo[name=..., dtype=F32, shape=[32], begin=0, end=128]
 * }</pre>
 *
 * @param name the tensor's key
 * @param dtype its element type
 * @param shape its shape (empty for a scalar)
 * @param begin start of its bytes, relative to the data section
 * @param end end (exclusive) of its bytes, relative to the data section
 */
public record TensorInfo(String name, DType dtype, List<Long> shape, long begin, long end) {
  public TensorInfo {
    shape = List.copyOf(shape);
  }

  /** Number of elements (1 for a scalar). */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Byte length of the data. */
  public long byteLength() {
    return end - begin;
  }

  /** The shape as ints (every dimension of the supported checkpoints fits). */
  public int[] intShape() {
    int[] s = new int[shape.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = Math.toIntExact(shape.get(i));
    }
    return s;
  }
}
