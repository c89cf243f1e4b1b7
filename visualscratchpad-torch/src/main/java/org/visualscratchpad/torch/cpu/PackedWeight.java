package org.visualscratchpad.torch.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.safetensors.DType;
import org.visualscratchpad.safetensors.Half;

/**
 * A weight matrix {@code [out, in]} (as {@code nn.Linear} and embedding tables store it) held in its
 * stored precision (F32, F16 or BF16) on the Java heap, laid out for the CPU engine's kernels: column
 * panels of {@link #NR} output rows, {@code [panels][in][NR]}, the last panel zero-padded. Half
 * precision is widened to float32 only inside the kernels (exactly: every F16 and BF16 value is a
 * float32 value).
 *
 * <p>Immutable and thread-safe once built.
 */
public final class PackedWeight {
  /** How the values are held. */
  public enum Storage {
    F32(4), F16(2), BF16(2);

    private final int bytes;

    Storage(int bytes) {
      this.bytes = bytes;
    }

    /** Bytes per value. */
    public int bytes() {
      return bytes;
    }
  }

  /** Output rows per panel. */
  public static final int NR = 32;

  final int out;
  final int in;
  final int panels;
  final Storage storage;
  final float[] f32;   // F32: (panels, in, NR)
  final short[] half;  // F16 / BF16: (panels, in, NR)

  private PackedWeight(int out, int in, Storage storage, float[] f32, short[] half) {
    this.out = out;
    this.in = in;
    this.panels = (out + NR - 1) / NR;
    this.storage = storage;
    this.f32 = f32;
    this.half = half;
  }

  /**
   * Packs a row-major {@code [out, in]} tensor read from {@code src} (little-endian, from index 0), keeping
   * F32, F16 and BF16 in their precision; F64 is narrowed to F32.
   *
   * @param as the storage to convert to, or null to keep the stored precision
   * @throws InvalidInputException for another dtype or a buffer of the wrong size
   */
  public static PackedWeight pack(ByteBuffer src, DType dtype, int out, int in, Storage as) {
    ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long n = (long) out * in;
    InvalidInputException.check(dtype == DType.F32 || dtype == DType.F16 || dtype == DType.BF16 || dtype == DType.F64,
        "weight dtype (%s) must be F32, F16, BF16 or F64", dtype);
    InvalidInputException.check(b.capacity() == n * dtype.byteSize(),
        "weight buffer holds %s bytes; [%s, %s] %s needs %s", b.capacity(), out, in, dtype, n * dtype.byteSize());
    Storage stored = switch (dtype) {
      case F16 -> Storage.F16;
      case BF16 -> Storage.BF16;
      default -> Storage.F32;
    };
    Storage target = as == null ? stored : as;
    int panels = (out + NR - 1) / NR;
    long size = Math.multiplyExact(Math.multiplyExact((long) panels, in), NR);
    InvalidInputException.check(size <= Integer.MAX_VALUE - 8,
        "weight [%s, %s] is too large for one packed array (%s values)", out, in, size);
    if (target == Storage.F32) {
      float[] dst = new float[(int) size];
      for (int o = 0; o < out; o++) {
        int base = (o / NR) * in * NR + o % NR;
        long row = (long) o * in;
        for (int i = 0; i < in; i++) {
          dst[base + i * NR] = read(b, dtype, row + i);
        }
      }
      return new PackedWeight(out, in, target, dst, null);
    }
    short[] dst = new short[(int) size];
    boolean same = target == stored;
    for (int o = 0; o < out; o++) {
      int base = (o / NR) * in * NR + o % NR;
      long row = (long) o * in;
      for (int i = 0; i < in; i++) {
        short v;
        if (same) {
          v = b.getShort((int) ((row + i) * 2));
        } else {
          float f = read(b, dtype, row + i);
          v = target == Storage.F16 ? Half.floatToF16(f) : Half.floatToBf16(f);
        }
        dst[base + i * NR] = v;
      }
    }
    return new PackedWeight(out, in, target, null, dst);
  }

  /** Packs row-major float32 values {@code [out, in]}. */
  public static PackedWeight of(float[] rowMajor, int out, int in) {
    ByteBuffer b = ByteBuffer.allocate(rowMajor.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(rowMajor);
    return pack(b, DType.F32, out, in, null);
  }

  private static float read(ByteBuffer b, DType dtype, long index) {
    return switch (dtype) {
      case F32 -> b.getFloat((int) (index * 4));
      case F16 -> Half.f16ToFloat(b.getShort((int) (index * 2)));
      case BF16 -> Half.bf16ToFloat(b.getShort((int) (index * 2)));
      case F64 -> (float) b.getDouble((int) (index * 8));
      default -> throw new AssertionError(dtype);
    };
  }

  public int out() {
    return out;
  }

  public int in() {
    return in;
  }

  public Storage storage() {
    return storage;
  }

  /** Bytes held (padding included). */
  public long bytes() {
    return storage == Storage.F32 ? 4L * f32.length : 2L * half.length;
  }

  /** Element {@code [o, i]} widened to float32. */
  public float get(int o, int i) {
    int at = (o / NR) * in * NR + i * NR + o % NR;
    return switch (storage) {
      case F32 -> f32[at];
      case F16 -> Half.f16ToFloat(half[at]);
      case BF16 -> Half.bf16ToFloat(half[at]);
    };
  }

  /** Row {@code o} ({@code in} values) widened into {@code dst} from {@code off}: an embedding lookup. */
  public void row(int o, float[] dst, int off) {
    for (int i = 0; i < in; i++) {
      dst[off + i] = get(o, i);
    }
  }

  @Override
  public String toString() {
    return "PackedWeight[" + out + " x " + in + " " + storage + "]";
  }
}
