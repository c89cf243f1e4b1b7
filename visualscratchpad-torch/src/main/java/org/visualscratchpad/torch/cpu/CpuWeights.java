package org.visualscratchpad.torch.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.safetensors.DType;
import org.visualscratchpad.safetensors.Half;
import org.visualscratchpad.torch.checkpoint.Weights;

/**
 * Reads a checkpoint's tensors for the CPU engine: matrices as {@link PackedWeight} in their stored
 * precision (or the precision asked for), vectors widened to float32. Each tensor's mapped bytes are
 * released as soon as it is copied, so loading never holds more than the packed weights plus one
 * tensor. Not thread-safe; used while loading.
 */
public final class CpuWeights {
  private final Weights weights;
  private final PackedWeight.Storage as;
  private long bytes;
  private long read;
  private final long total;
  private final java.util.function.LongConsumer progress;

  /**
   * @param as the storage of every matrix, or null to keep each tensor's stored precision (F64 becomes F32)
   */
  public CpuWeights(Weights weights, PackedWeight.Storage as) {
    this(weights, as, null);
  }

  /**
   * @param progress receives the bytes of the checkpoint read so far after each tensor, or null
   */
  public CpuWeights(Weights weights, PackedWeight.Storage as, java.util.function.LongConsumer progress) {
    this.weights = weights;
    this.as = as;
    this.progress = progress;
    long t = 0;
    for (var info : weights.headers().values()) {
      t += info.byteLength();
    }
    this.total = t;
  }

  /** Bytes of all tensors of the checkpoint (what {@code progress} counts towards). */
  public long totalBytes() {
    return total;
  }

  /** Bytes read per positional read while loading. */
  private static final int CHUNK = 16 << 20;
  private ByteBuffer whole = ByteBuffer.allocate(0);

  /**
   * A tensor's bytes, read front to back on this thread in 16 MiB reads into one buffer reused for every
   * tensor. Reading in file order lets the kernel read ahead at the disk's sequential speed; packing
   * threads faulting pages or reading panels at two places at once defeated that (a 14 GB checkpoint
   * loaded at about 250 MB/s from a cold cache on a disk that streams 1.3 GB/s).
   */
  private ByteBuffer readWhole(Weights.StoredTensor t) {
    int n = Math.toIntExact(t.byteLength());
    if (whole.capacity() < n) {
      whole = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
    for (int off = 0; off < n; off += CHUNK) {
      ByteBuffer part = whole.duplicate();
      part.position(off).limit(Math.min(n, off + CHUNK));
      t.reader().read(off, part);
    }
    ByteBuffer view = whole.duplicate();
    view.position(0).limit(n);
    return view.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Drops the read buffer once loading is done. */
  public void finish() {
    whole = ByteBuffer.allocate(0);
  }

  private void advance(long tensorBytes) {
    read += tensorBytes;
    if (progress != null) {
      progress.accept(read);
    }
  }

  /** Matrix {@code name} {@code [out, in]}. */
  public PackedWeight matrix(String name, int out, int in) {
    return matrix(name, out, in, out, in);
  }

  /** Matrix {@code name} stored with shape {@code shape}, read as {@code [out, in]} (same element count). */
  public PackedWeight matrix(String name, int out, int in, long... shape) {
    Weights.StoredTensor t = weights.stored(name, shape);
    try {
      PackedWeight w = PackedWeight.pack(readWhole(t), t.dtype(), out, in, as);
      bytes += w.bytes();
      advance(t.byteLength());
      return w;
    } catch (org.visualscratchpad.InvalidInputException e) {
      throw new CheckpointFormatException(t.file(), "tensor " + t.storedName() + ": " + e.getMessage());
    }
  }

  /**
   * Matrices {@code names} ({@code [outs[i], in]} each) stacked into one, packed straight into place
   * when their sizes allow ({@link PackedWeight.Stack}), else packed apart and concatenated.
   */
  public PackedWeight stacked(String[] names, int[] outs, int in) {
    if (!PackedWeight.Stack.fits(outs)) {
      PackedWeight[] parts = new PackedWeight[names.length];
      for (int i = 0; i < names.length; i++) {
        parts[i] = matrix(names[i], outs[i], in);
      }
      long partBytes = 0;
      for (PackedWeight p : parts) {
        partBytes += p.bytes();
      }
      PackedWeight w = PackedWeight.concat(parts);
      bytes += w.bytes() - partBytes;
      return w;
    }
    PackedWeight.Stack stack = null;
    for (int i = 0; i < names.length; i++) {
      Weights.StoredTensor t = weights.stored(names[i], outs[i], in);
      try {
        if (stack == null) {
          stack = new PackedWeight.Stack(outs, in, as == null ? PackedWeight.stored(t.dtype()) : as);
        }
        stack.put(i, readWhole(t), t.dtype());
        advance(t.byteLength());
      } catch (org.visualscratchpad.InvalidInputException e) {
        throw new CheckpointFormatException(t.file(), "tensor " + t.storedName() + ": " + e.getMessage());
      }
    }
    PackedWeight w = stack.build();
    bytes += w.bytes();
    return w;
  }

  /** Tensor {@code name} of shape {@code shape} widened to float32, flattened. */
  public float[] floats(String name, long... shape) {
    Weights.RawTensor t = weights.raw(name, shape);
    try {
      ByteBuffer b = t.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN);
      long n = 1;
      for (long s : shape) {
        n = Math.multiplyExact(n, s);
      }
      float[] out = new float[Math.toIntExact(n)];
      DType d = t.dtype();
      for (int i = 0; i < out.length; i++) {
        out[i] = switch (d) {
          case F32 -> b.getFloat(i * 4);
          case F16 -> Half.f16ToFloat(b.getShort(i * 2));
          case BF16 -> Half.bf16ToFloat(b.getShort(i * 2));
          case F64 -> (float) b.getDouble(i * 8);
          default -> throw new CheckpointFormatException(t.file(), "tensor " + t.storedName() + " has dtype " + d
              + "; weights must be F32, F16, BF16 or F64");
        };
      }
      bytes += 4L * out.length;
      advance(t.bytes().capacity());
      return out;
    } finally {
      Weights.release(t);
    }
  }

  /** Whether a tensor with this canonical name exists. */
  public boolean has(String name) {
    return weights.has(name);
  }

  /** Bytes held by everything read so far. */
  public long bytes() {
    return bytes;
  }
}
