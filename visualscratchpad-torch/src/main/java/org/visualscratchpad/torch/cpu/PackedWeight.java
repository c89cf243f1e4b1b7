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
    Storage target = as == null ? stored(dtype) : as;
    float[] f32 = target == Storage.F32 ? new float[size(out, in)] : null;
    short[] half = target == Storage.F32 ? null : new short[size(out, in)];
    packInto(src, dtype, out, in, target, f32, half, 0);
    return new PackedWeight(out, in, target, f32, half);
  }

  /** The storage that keeps {@code dtype}'s precision (F64 becomes F32). */
  static Storage stored(DType dtype) {
    InvalidInputException.check(dtype == DType.F32 || dtype == DType.F16 || dtype == DType.BF16 || dtype == DType.F64,
        "weight dtype (%s) must be F32, F16, BF16 or F64", dtype);
    return switch (dtype) {
      case F16 -> Storage.F16;
      case BF16 -> Storage.BF16;
      default -> Storage.F32;
    };
  }

  /** Values of the packed array of an {@code [out, in]} matrix (panels zero-padded). */
  static int size(int out, int in) {
    int panels = (out + NR - 1) / NR;
    long size = Math.multiplyExact(Math.multiplyExact((long) panels, in), NR);
    InvalidInputException.check(size <= Integer.MAX_VALUE - 8,
        "weight [%s, %s] is too large for one packed array (%s values)", out, in, size);
    return (int) size;
  }

  private static final ThreadLocal<short[][]> SHORTS = ThreadLocal.withInitial(() -> new short[1][0]);
  private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[1][0]);

  /**
   * Packs {@code src} ({@code [out, in]}) into {@code f32} or {@code half} from panel {@code firstPanel} on:
   * the rows of each panel are read in bulk into a per-thread buffer (no garbage) and transposed.
   */
  private static void packInto(ByteBuffer src, DType dtype, int out, int in, Storage target, float[] f32,
      short[] half, int firstPanel) {
    ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long n = (long) out * in;
    InvalidInputException.check(b.capacity() == n * dtype.byteSize(),
        "weight buffer holds %s bytes; [%s, %s] %s needs %s", b.capacity(), out, in, dtype, n * dtype.byteSize());
    packInto((offset, dst) -> {
      ByteBuffer from = b.duplicate();
      from.position((int) offset).limit((int) offset + dst.remaining());
      dst.put(from);
    }, dtype, out, in, target, f32, half, firstPanel);
  }

  /** Reads {@code dst.remaining()} bytes of a row-major tensor from byte {@code offset}. */
  @FunctionalInterface
  public interface Source {
    void read(long offset, ByteBuffer dst);
  }

  /**
   * Packs a row-major {@code [out, in]} tensor read panel by panel from {@code src} (positional reads of
   * 32 rows at a time, on all threads: nothing is mapped and nothing but the packed array is kept).
   */
  public static PackedWeight pack(Source src, DType dtype, int out, int in, Storage as) {
    Storage target = as == null ? stored(dtype) : as;
    float[] f32 = target == Storage.F32 ? new float[size(out, in)] : null;
    short[] half = target == Storage.F32 ? null : new short[size(out, in)];
    packInto(src, dtype, out, in, target, f32, half, 0);
    return new PackedWeight(out, in, target, f32, half);
  }

  private static final ThreadLocal<ByteBuffer[]> PANEL_BYTES = ThreadLocal.withInitial(() -> new ByteBuffer[1]);

  /** One panel's rows as little-endian bytes, in a per-thread buffer. */
  private static ByteBuffer panelBytes(Source src, DType dtype, int o0, int rows, int in) {
    int n = rows * in * dtype.byteSize();
    ByteBuffer[] holder = PANEL_BYTES.get();
    if (holder[0] == null || holder[0].capacity() < n) {
      holder[0] = ByteBuffer.allocateDirect(Math.max(n, NR * in * dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    }
    ByteBuffer pb = holder[0];
    pb.clear().limit(n);
    src.read((long) o0 * in * dtype.byteSize(), pb);
    pb.flip();
    return pb;
  }

  private static void packInto(Source src, DType dtype, int out, int in, Storage target, float[] f32,
      short[] half, int firstPanel) {
    Storage stored = stored(dtype);
    int panels = (out + NR - 1) / NR;
    boolean same = target == stored && dtype != DType.F64;
    CpuThreads.parallelFor(panels, p -> {
      int o0 = p * NR;
      int rows = Math.min(NR, out - o0);
      int base = (firstPanel + p) * in * NR;
      ByteBuffer b = panelBytes(src, dtype, o0, rows, in);
      if (same && half != null) {
        short[][] holder = SHORTS.get();
        if (holder[0].length < rows * in) {
          holder[0] = new short[NR * in];
        }
        short[] tmp = holder[0];
        b.asShortBuffer().get(tmp, 0, rows * in);
        // transpose in 16-column strips: each row's strip is one contiguous read, the strip's output 1 KB
        for (int i0 = 0; i0 < in; i0 += 16) {
          int i1 = Math.min(in, i0 + 16);
          for (int r = 0; r < rows; r++) {
            int from = r * in;
            for (int i = i0; i < i1; i++) {
              half[base + i * NR + r] = tmp[from + i];
            }
          }
        }
      } else if (same) {
        float[][] holder = FLOATS.get();
        if (holder[0].length < rows * in) {
          holder[0] = new float[NR * in];
        }
        float[] tmp = holder[0];
        b.asFloatBuffer().get(tmp, 0, rows * in);
        for (int i0 = 0; i0 < in; i0 += 16) {
          int i1 = Math.min(in, i0 + 16);
          for (int r = 0; r < rows; r++) {
            int from = r * in;
            for (int i = i0; i < i1; i++) {
              f32[base + i * NR + r] = tmp[from + i];
            }
          }
        }
      } else {
        for (int r = 0; r < rows; r++) {
          long row = (long) r * in;
          for (int i = 0; i < in; i++) {
            float f = read(b, dtype, row + i);
            int at = base + i * NR + r;
            if (f32 != null) {
              f32[at] = f;
            } else {
              half[at] = target == Storage.F16 ? Half.floatToF16(f) : Half.floatToBf16(f);
            }
          }
        }
      }
    });
  }

  /**
   * Several {@code [out_i, in]} matrices packed straight into one stacked matrix (as {@link #concat} would
   * give, without packing each part on its own first): every part but the last must have a multiple of
   * {@link #NR} rows, so that each starts on a panel.
   */
  public static final class Stack {
    private final int[] outs;
    private final int in;
    private final Storage target;
    private final float[] f32;
    private final short[] half;
    private final int total;

    /** A stack of parts with {@code outs} rows each, held as {@code target}. */
    public Stack(int[] outs, int in, Storage target) {
      int t = 0;
      for (int i = 0; i < outs.length; i++) {
        InvalidInputException.check(i == outs.length - 1 || outs[i] % NR == 0,
            "stacked part %s has %s rows, not a multiple of %s", i, outs[i], NR);
        t += outs[i];
      }
      this.outs = outs.clone();
      this.in = in;
      this.target = target;
      this.total = t;
      f32 = target == Storage.F32 ? new float[size(t, in)] : null;
      half = target == Storage.F32 ? null : new short[size(t, in)];
    }

    /** Whether parts of these sizes can be stacked this way. */
    public static boolean fits(int[] outs) {
      for (int i = 0; i < outs.length - 1; i++) {
        if (outs[i] % NR != 0) {
          return false;
        }
      }
      return true;
    }

    /** Packs part {@code part} from its stored bytes. */
    public void put(int part, ByteBuffer src, DType dtype) {
      packInto(src, dtype, outs[part], in, target, f32, half, firstPanel(part));
    }

    /** Packs part {@code part}, read panel by panel from {@code src}. */
    public void put(int part, Source src, DType dtype) {
      packInto(src, dtype, outs[part], in, target, f32, half, firstPanel(part));
    }

    private int firstPanel(int part) {
      int firstPanel = 0;
      for (int i = 0; i < part; i++) {
        firstPanel += outs[i] / NR;
      }
      return firstPanel;
    }

    /** The stacked matrix. */
    public PackedWeight build() {
      return new PackedWeight(total, in, target, f32, half);
    }
  }

  /**
   * The rows of {@code parts} stacked into one matrix ({@code [sum of out, in]}), as if their {@code
   * nn.Linear}s were one: one call then computes all their outputs side by side (e.g. q, k and v). All
   * parts share {@code in} and the storage.
   */
  public static PackedWeight concat(PackedWeight... parts) {
    int in = parts[0].in;
    Storage st = parts[0].storage;
    int out = 0;
    boolean aligned = true;
    for (PackedWeight w : parts) {
      InvalidInputException.check(w.in == in && w.storage == st, "weights to stack must share in (%s) and storage "
          + "(%s); got %s", in, st, w);
      out += w.out;
      aligned &= w.out % NR == 0;
    }
    int panels = (out + NR - 1) / NR;
    long size = Math.multiplyExact(Math.multiplyExact((long) panels, in), NR);
    InvalidInputException.check(size <= Integer.MAX_VALUE - 8, "stacked weight [%s, %s] is too large", out, in);
    float[] f32 = st == Storage.F32 ? new float[(int) size] : null;
    short[] half = st == Storage.F32 ? null : new short[(int) size];
    if (aligned) {
      int at = 0;
      for (PackedWeight w : parts) {
        Object src = st == Storage.F32 ? w.f32 : w.half;
        int len = w.panels * in * NR;
        System.arraycopy(src, 0, st == Storage.F32 ? f32 : half, at, len);
        at += len;
      }
    } else {
      int o = 0;
      for (PackedWeight w : parts) {
        for (int r = 0; r < w.out; r++, o++) {
          int dst = (o / NR) * in * NR + o % NR;
          int src = (r / NR) * in * NR + r % NR;
          for (int i = 0; i < in; i++) {
            if (f32 != null) {
              f32[dst + i * NR] = w.f32[src + i * NR];
            } else {
              half[dst + i * NR] = w.half[src + i * NR];
            }
          }
        }
      }
    }
    return new PackedWeight(out, in, st, f32, half);
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
