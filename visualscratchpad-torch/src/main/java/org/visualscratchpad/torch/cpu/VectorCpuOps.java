package org.visualscratchpad.torch.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API implementation of {@link CpuOps} for 512-bit vectors (16 float lanes; a {@link
 * PackedWeight#NR} = 32 column panel is two vectors) or 256-bit ones (AVX2: 8 lanes, a panel taken in
 * two 16-column passes, so that 12 accumulators still fit the 16 registers). Only loaded when the
 * module {@code jdk.incubator.vector} is in the boot layer and {@link #supported()} holds; {@link
 * CpuOps} dispatches to it.
 *
 * <p>Only heap-array calls ({@code fromArray}, {@code intoArray}, shape conversions) are used, so the
 * code runs alike on JDK 17 and 25. Vector lanes are never summed with {@code reduceLanes(ADD)}
 * (whose order differs between the interpreter and the JIT on JDK 25): they are stored and added in a
 * fixed order, so every result has the same bits on every run and thread count.
 *
 * <p><b>linear, many rows</b> (GEMM, {@code m >= } {@link #GEMM_MIN_ROWS}): the rows are swept in
 * blocks of {@link #ROW_BLOCK}; the calling thread packs each block once, K slice by K slice (slices of
 * {@link #KC}), k-major into tiles of {@link #MR} rows ({@code [tiles][kc][MR]}, a slice L2 resident),
 * then the tasks (chunks of panels) share it: per K slice each task widens the slice of each of its
 * weight panels to float32 once (F16/BF16; F32 is read in place), and runs a
 * 6 x 2-vector micro-kernel (12 accumulators in registers) over the slice for every tile of the block. The
 * accumulators continue from the previous slice's partial sums, so the summation order (k ascending)
 * does not depend on the slicing. Tasks own disjoint panels (the output dimension). Bias is added at
 * the last store.
 *
 * <p><b>linear, few rows</b> (GEMV, up to 8 rows): every panel is streamed once, half precision widened
 * in registers, four rows per pass (a second pass over the panel finds it in L2).
 *
 * <p>F16 is widened exactly with integer operations (the JDK 17 Vector API has no half-float
 * conversion): the sign-extended 16 bits shifted left by 13 and masked to sign, exponent and mantissa
 * make a float32 whose exponent is 112 too small; multiplying by 2^112 is exact for normal values,
 * subnormals and zero. F16 infinities and NaNs become finite values (65,536 to 131,008 in magnitude);
 * weights never hold them. BF16 is the upper half of a float32.
 *
 * <p><b>Attention GEMMs</b> (one thread): B packed into 32-column panels, the same 6-row micro-kernel
 * reading A's rows in place. <b>Element-wise</b> operations (one thread): e^x by range reduction and a
 * polynomial ({@link #expAt}), erf by the scalar reference's approximations in float32.
 *
 * <p>Thread-safe: scratch is per thread ({@link ThreadLocal}), grown on demand and kept.
 */
final class VectorCpuOps {
  private VectorCpuOps() {}

  /** 512-bit vectors where the machine prefers them (AVX-512), else 256-bit (AVX2). */
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() >= 16 ? FloatVector.SPECIES_512
      : FloatVector.SPECIES_256;
  private static final VectorSpecies<Short> H = VectorSpecies.of(short.class,
      VectorShape.forBitSize(F.length() * 16));
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  private static final int L = F.length();
  /** Columns one micro-kernel pass covers (two vectors); a panel takes {@code NR / W} passes. */
  private static final int W = 2 * L;
  private static final int NR = PackedWeight.NR;
  /** Rows per micro-tile of the GEMM. */
  static final int MR = 6;
  /** Rows per block of the GEMM sweep (a multiple of MR): 600 covers a whole 577-token crop or a LLaVA-1.5 prompt, so each half-precision panel is widened once per call (96 rows: prefill 129 GFLOP/s; 600: 141, on the 1.1B real-shape checkpoint). */
  static final int ROW_BLOCK = Math.max(MR, Integer.getInteger("vsp.cpu.rowBlock", 600) / MR * MR);
  /** K values per slice of the GEMM sweep. */
  static final int KC = Math.max(1, Integer.getInteger("vsp.cpu.kc", 1024));
  /** Rows from which linear takes the GEMM path. */
  static final int GEMM_MIN_ROWS = 9;

  /** Whether this machine's preferred vectors are 256 or 512 bits wide (the shapes these kernels are written for). */
  static boolean supported() {
    return FloatVector.SPECIES_PREFERRED.length() >= 8 && NR % W == 0;
  }

  /** The vector width in bits. */
  static int bits() {
    return F.vectorBitSize();
  }

  // ------------------------------------------------------------------ widening

  static FloatVector widenF16(short[] h, int off) {
    IntVector v = (IntVector) ShortVector.fromArray(H, h, off).convertShape(VectorOperators.S2I, I, 0);
    return v.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f);
  }

  static FloatVector widenBf16(short[] h, int off) {
    IntVector v = (IntVector) ShortVector.fromArray(H, h, off).convertShape(VectorOperators.S2I, I, 0);
    return v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }

  /** Widens {@code n} (a multiple of 16) half values from {@code src[off]} into {@code dst[0, n)}. */
  static void widen(PackedWeight.Storage storage, short[] src, int off, int n, float[] dst) {
    if (storage == PackedWeight.Storage.F16) {
      for (int i = 0; i < n; i += L) {
        widenF16(src, off + i).intoArray(dst, i);
      }
    } else {
      for (int i = 0; i < n; i += L) {
        widenBf16(src, off + i).intoArray(dst, i);
      }
    }
  }

  // ------------------------------------------------------------------ linear

  /** Per-thread scratch of the linear kernels, grown on demand. */
  private static final class Scratch {
    float[] a = new float[0];
    float[] block = new float[0];
    float[] b = new float[0];
    final float[] tile = new float[MR * NR];
    final float[] bias = new float[NR];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** {@link CpuOps#linear} on all threads ({@code parallel}) or the calling thread only. */
  static void linear(float[] x, int m, PackedWeight w, float[] bias, float[] y, boolean parallel) {
    if (m <= 0) {
      return;
    }
    int panels = w.panels;
    long flops = 2L * m * w.in * panels * NR;
    boolean multi = parallel && CpuThreads.threads() > 1 && flops >= (1L << 20) && panels > 1;
    int tasks = multi ? Math.min(panels, 8 * CpuThreads.threads()) : 1;
    if (m < GEMM_MIN_ROWS || w.in == 0) {
      run(tasks, task -> gemvPanels(x, m, w, bias, y, panelStart(panels, tasks, task), panelStart(panels, tasks, task + 1)));
      return;
    }
    // the calling thread packs each row block once; the tasks (panel chunks) share it read-only
    Scratch s = SCRATCH.get();
    if (s.block.length < ROW_BLOCK * w.in) {
      s.block = new float[ROW_BLOCK * w.in];
    }
    float[] block = s.block;
    for (int r0 = 0; r0 < m; r0 += ROW_BLOCK) {
      int rowStart = r0;
      int rowEnd = Math.min(m, r0 + ROW_BLOCK);
      packBlock(x, w.in, rowStart, rowEnd, block);
      run(tasks, task -> gemmBlock(block, rowStart, rowEnd, w, bias, y, panelStart(panels, tasks, task),
          panelStart(panels, tasks, task + 1)));
    }
  }

  /** The first panel of task {@code task} of {@code tasks}. */
  private static int panelStart(int panels, int tasks, int task) {
    return (int) ((long) panels * task / tasks);
  }

  private static void run(int tasks, java.util.function.IntConsumer body) {
    if (tasks == 1) {
      body.accept(0);
    } else {
      CpuThreads.parallelFor(tasks, body);
    }
  }

  /**
   * Rows [r0, r1) of x into {@code block}: K slice by K slice (slice {@code k0} from {@code k0 * tiles *
   * MR}), each as [tiles][kc][MR], missing rows zero.
   */
  private static void packBlock(float[] x, int in, int r0, int r1, float[] block) {
    int tiles = (r1 - r0 + MR - 1) / MR;
    for (int k0 = 0; k0 < in; k0 += KC) {
      int kc = Math.min(KC, in - k0);
      int sliceBase = k0 * tiles * MR;
      for (int t = 0; t < tiles; t++) {
        int base = sliceBase + t * kc * MR;
        for (int q = 0; q < MR; q++) {
          int row = r0 + t * MR + q;
          if (row < r1) {
            int src = row * in + k0;
            for (int k = 0; k < kc; k++) {
              block[base + k * MR + q] = x[src + k];
            }
          } else {
            for (int k = 0; k < kc; k++) {
              block[base + k * MR + q] = 0f;
            }
          }
        }
      }
    }
  }

  /** Panels [p0, p1) of the rows [r0, r1) packed in {@code block}, K slice by K slice. */
  private static void gemmBlock(float[] block, int r0, int r1, PackedWeight w, float[] bias, float[] y, int p0,
      int p1) {
    int in = w.in;
    int out = w.out;
    Scratch s = SCRATCH.get();
    int kcMax = Math.min(KC, in);
    boolean half = w.storage != PackedWeight.Storage.F32;
    if (half && s.b.length < kcMax * NR) {
      s.b = new float[kcMax * NR];
    }
    float[] tile = s.tile;
    int tiles = (r1 - r0 + MR - 1) / MR;
    for (int k0 = 0; k0 < in; k0 += KC) {
      int kc = Math.min(KC, in - k0);
      boolean first = k0 == 0;
      boolean last = k0 + kc == in;
      int sliceBase = k0 * tiles * MR;
      for (int p = p0; p < p1; p++) {
        float[] b;
        int bOff;
        int src = (p * in + k0) * NR;
        if (half) {
          widen(w.storage, w.half, src, kc * NR, s.b);
          b = s.b;
          bOff = 0;
        } else {
          b = w.f32;
          bOff = src;
        }
        int col0 = p * NR;
        int cols = Math.min(NR, out - col0);
        float[] bb = null;
        if (last && bias != null) {
          bb = s.bias;
          java.util.Arrays.fill(bb, 0f);
          System.arraycopy(bias, col0, bb, 0, cols);
        }
        for (int t = 0; t < tiles; t++) {
          int row0 = r0 + t * MR;
          int rows = Math.min(MR, r1 - row0);
          if (!first) {
            loadTile(y, out, row0, rows, col0, cols, tile);
          }
          for (int co = 0; co < NR; co += W) {
            micro6(block, sliceBase + t * kc * MR, b, bOff, co, tile, kc, !first);
          }
          storeTile(tile, bb, y, out, row0, rows, col0, cols);
        }
      }
    }
  }

  private static void loadTile(float[] y, int out, int row0, int rows, int col0, int cols, float[] tile) {
    for (int i = 0; i < rows; i++) {
      int src = (row0 + i) * out + col0;
      if (cols == NR) {
        for (int c = 0; c < NR; c += L) {
          FloatVector.fromArray(F, y, src + c).intoArray(tile, i * NR + c);
        }
      } else {
        System.arraycopy(y, src, tile, i * NR, cols);
      }
    }
  }

  /** Tile rows into y, plus {@code bias} (32 values, zero-padded) when not null. */
  private static void storeTile(float[] tile, float[] bias, float[] y, int out, int row0, int rows, int col0,
      int cols) {
    if (cols == NR) {
      for (int i = 0; i < rows; i++) {
        int dst = (row0 + i) * out + col0;
        for (int c = 0; c < NR; c += L) {
          FloatVector v = FloatVector.fromArray(F, tile, i * NR + c);
          if (bias != null) {
            v = v.add(FloatVector.fromArray(F, bias, c));
          }
          v.intoArray(y, dst + c);
        }
      }
    } else {
      for (int i = 0; i < rows; i++) {
        int dst = (row0 + i) * out + col0;
        for (int c = 0; c < cols; c++) {
          float v = tile[i * NR + c];
          y[dst + c] = bias == null ? v : v + bias[c];
        }
      }
    }
  }

  /**
   * A 6 x W tile (columns {@code [co, co + W)} of a 32-column panel) over {@code kc} values of K: A
   * packed [kc][6] from {@code aOff}, B [kc][32] from {@code bOff}; the 12 accumulators start from
   * {@code tile} ([6][32]) when {@code init}, else zero, and end in it.
   */
  private static void micro6(float[] a, int aOff, float[] b, int bOff, int co, float[] tile, int kc,
      boolean init) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (init) {
      c00 = FloatVector.fromArray(F, tile, co);
      c01 = FloatVector.fromArray(F, tile, co + L);
      c10 = FloatVector.fromArray(F, tile, NR + co);
      c11 = FloatVector.fromArray(F, tile, NR + co + L);
      c20 = FloatVector.fromArray(F, tile, 2 * NR + co);
      c21 = FloatVector.fromArray(F, tile, 2 * NR + co + L);
      c30 = FloatVector.fromArray(F, tile, 3 * NR + co);
      c31 = FloatVector.fromArray(F, tile, 3 * NR + co + L);
      c40 = FloatVector.fromArray(F, tile, 4 * NR + co);
      c41 = FloatVector.fromArray(F, tile, 4 * NR + co + L);
      c50 = FloatVector.fromArray(F, tile, 5 * NR + co);
      c51 = FloatVector.fromArray(F, tile, 5 * NR + co + L);
    } else {
      c00 = FloatVector.zero(F);
      c01 = c00;
      c10 = c00;
      c11 = c00;
      c20 = c00;
      c21 = c00;
      c30 = c00;
      c31 = c00;
      c40 = c00;
      c41 = c00;
      c50 = c00;
      c51 = c00;
    }
    for (int k = 0; k < kc; k++) {
      int bi = bOff + k * NR + co;
      int ai = aOff + k * MR;
      FloatVector b0 = FloatVector.fromArray(F, b, bi);
      FloatVector b1 = FloatVector.fromArray(F, b, bi + L);
      FloatVector v = FloatVector.broadcast(F, a[ai]);
      c00 = b0.fma(v, c00);
      c01 = b1.fma(v, c01);
      v = FloatVector.broadcast(F, a[ai + 1]);
      c10 = b0.fma(v, c10);
      c11 = b1.fma(v, c11);
      v = FloatVector.broadcast(F, a[ai + 2]);
      c20 = b0.fma(v, c20);
      c21 = b1.fma(v, c21);
      v = FloatVector.broadcast(F, a[ai + 3]);
      c30 = b0.fma(v, c30);
      c31 = b1.fma(v, c31);
      v = FloatVector.broadcast(F, a[ai + 4]);
      c40 = b0.fma(v, c40);
      c41 = b1.fma(v, c41);
      v = FloatVector.broadcast(F, a[ai + 5]);
      c50 = b0.fma(v, c50);
      c51 = b1.fma(v, c51);
    }
    c00.intoArray(tile, co);
    c01.intoArray(tile, co + L);
    c10.intoArray(tile, NR + co);
    c11.intoArray(tile, NR + co + L);
    c20.intoArray(tile, 2 * NR + co);
    c21.intoArray(tile, 2 * NR + co + L);
    c30.intoArray(tile, 3 * NR + co);
    c31.intoArray(tile, 3 * NR + co + L);
    c40.intoArray(tile, 4 * NR + co);
    c41.intoArray(tile, 4 * NR + co + L);
    c50.intoArray(tile, 5 * NR + co);
    c51.intoArray(tile, 5 * NR + co + L);
  }

  // ------------------------------------------------------------------ GEMV (m <= 4)

  private static void gemvPanels(float[] x, int m, PackedWeight w, float[] bias, float[] y, int p0, int p1) {
    int in = w.in;
    int out = w.out;
    Scratch s = SCRATCH.get();
    // groups of 4 rows; each x group interleaved k-major (missing rows zero): xp[(g * in + k) * 4 + r]
    int groups = (m + 3) / 4;
    if (s.a.length < groups * 4 * in) {
      s.a = new float[groups * 4 * in];
    }
    float[] xp = s.a;
    for (int g = 0; g < groups; g++) {
      for (int r = 0; r < 4; r++) {
        int row = g * 4 + r;
        int dst = g * in * 4 + r;
        for (int k = 0; k < in; k++) {
          xp[dst + k * 4] = row < m ? x[row * in + k] : 0f;
        }
      }
    }
    float[] tile = s.tile;
    for (int p = p0; p < p1; p++) {
      int off = p * in * NR;
      int col0 = p * NR;
      int cols = Math.min(NR, out - col0);
      // the panel streams from memory for the first group; the others find it in L2
      for (int g = 0; g < groups; g++) {
        int rows = Math.min(4, m - g * 4);
        if (rows == 1) {
          int xOff = g * 4 * in;
          switch (w.storage) {
            case F32 -> {
              for (int co = 0; co < NR; co += W) {
                gemv1F32(x, xOff, co, w.f32, off, in, tile);
              }
            }
            case F16 -> {
              for (int co = 0; co < NR; co += W) {
                gemv1F16(x, xOff, co, w.half, off, in, tile);
              }
            }
            case BF16 -> {
              for (int co = 0; co < NR; co += W) {
                gemv1Bf16(x, xOff, co, w.half, off, in, tile);
              }
            }
          }
        } else {
          int xOff = g * in * 4;
          switch (w.storage) {
            case F32 -> {
              for (int co = 0; co < NR; co += W) {
                gemv4F32(xp, xOff, co, w.f32, off, in, tile);
              }
            }
            case F16 -> {
              for (int co = 0; co < NR; co += W) {
                gemv4F16(xp, xOff, co, w.half, off, in, tile);
              }
            }
            case BF16 -> {
              for (int co = 0; co < NR; co += W) {
                gemv4Bf16(xp, xOff, co, w.half, off, in, tile);
              }
            }
          }
        }
        for (int r = 0; r < rows; r++) {
          int dst = (g * 4 + r) * out + col0;
          for (int c = 0; c < cols; c++) {
            float v = tile[r * NR + c];
            y[dst + c] = bias == null ? v : v + bias[col0 + c];
          }
        }
      }
    }
  }


  // One row: even and odd k in separate accumulators (two independent chains), summed at the end.

  private static void gemv1F32(float[] x, int xOff, int co, float[] w, int off, int in, float[] tile) {
    FloatVector e0 = FloatVector.zero(F), e1 = e0, o0 = e0, o1 = e0;
    int k = 0;
    for (; k + 1 < in; k += 2) {
      int wi = off + k * NR + co;
      FloatVector xe = FloatVector.broadcast(F, x[xOff + k]);
      FloatVector xo = FloatVector.broadcast(F, x[xOff + k + 1]);
      e0 = FloatVector.fromArray(F, w, wi).fma(xe, e0);
      e1 = FloatVector.fromArray(F, w, wi + L).fma(xe, e1);
      o0 = FloatVector.fromArray(F, w, wi + NR).fma(xo, o0);
      o1 = FloatVector.fromArray(F, w, wi + NR + L).fma(xo, o1);
    }
    if (k < in) {
      int wi = off + k * NR + co;
      FloatVector xe = FloatVector.broadcast(F, x[xOff + k]);
      e0 = FloatVector.fromArray(F, w, wi).fma(xe, e0);
      e1 = FloatVector.fromArray(F, w, wi + L).fma(xe, e1);
    }
    e0.add(o0).intoArray(tile, co);
    e1.add(o1).intoArray(tile, co + L);
  }

  private static void gemv1F16(float[] x, int xOff, int co, short[] w, int off, int in, float[] tile) {
    FloatVector e0 = FloatVector.zero(F), e1 = e0, o0 = e0, o1 = e0;
    int k = 0;
    for (; k + 1 < in; k += 2) {
      int wi = off + k * NR + co;
      FloatVector xe = FloatVector.broadcast(F, x[xOff + k]);
      FloatVector xo = FloatVector.broadcast(F, x[xOff + k + 1]);
      e0 = widenF16(w, wi).fma(xe, e0);
      e1 = widenF16(w, wi + L).fma(xe, e1);
      o0 = widenF16(w, wi + NR).fma(xo, o0);
      o1 = widenF16(w, wi + NR + L).fma(xo, o1);
    }
    if (k < in) {
      int wi = off + k * NR + co;
      FloatVector xe = FloatVector.broadcast(F, x[xOff + k]);
      e0 = widenF16(w, wi).fma(xe, e0);
      e1 = widenF16(w, wi + L).fma(xe, e1);
    }
    e0.add(o0).intoArray(tile, co);
    e1.add(o1).intoArray(tile, co + L);
  }

  private static void gemv1Bf16(float[] x, int xOff, int co, short[] w, int off, int in, float[] tile) {
    FloatVector e0 = FloatVector.zero(F), e1 = e0, o0 = e0, o1 = e0;
    int k = 0;
    for (; k + 1 < in; k += 2) {
      int wi = off + k * NR + co;
      FloatVector xe = FloatVector.broadcast(F, x[xOff + k]);
      FloatVector xo = FloatVector.broadcast(F, x[xOff + k + 1]);
      e0 = widenBf16(w, wi).fma(xe, e0);
      e1 = widenBf16(w, wi + L).fma(xe, e1);
      o0 = widenBf16(w, wi + NR).fma(xo, o0);
      o1 = widenBf16(w, wi + NR + L).fma(xo, o1);
    }
    if (k < in) {
      int wi = off + k * NR + co;
      FloatVector xe = FloatVector.broadcast(F, x[xOff + k]);
      e0 = widenBf16(w, wi).fma(xe, e0);
      e1 = widenBf16(w, wi + L).fma(xe, e1);
    }
    e0.add(o0).intoArray(tile, co);
    e1.add(o1).intoArray(tile, co + L);
  }

  private static void gemv4F32(float[] xp, int xOff, int co, float[] w, int off, int in, float[] tile) {
    FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
        c31 = c00;
    for (int k = 0; k < in; k++) {
      int wi = off + k * NR + co;
      FloatVector b0 = FloatVector.fromArray(F, w, wi);
      FloatVector b1 = FloatVector.fromArray(F, w, wi + L);
      FloatVector v = FloatVector.broadcast(F, xp[xOff + 4 * k]);
      c00 = b0.fma(v, c00);
      c01 = b1.fma(v, c01);
      v = FloatVector.broadcast(F, xp[xOff + 4 * k + 1]);
      c10 = b0.fma(v, c10);
      c11 = b1.fma(v, c11);
      v = FloatVector.broadcast(F, xp[xOff + 4 * k + 2]);
      c20 = b0.fma(v, c20);
      c21 = b1.fma(v, c21);
      v = FloatVector.broadcast(F, xp[xOff + 4 * k + 3]);
      c30 = b0.fma(v, c30);
      c31 = b1.fma(v, c31);
    }
    c00.intoArray(tile, co);
    c01.intoArray(tile, co + L);
    c10.intoArray(tile, NR + co);
    c11.intoArray(tile, NR + co + L);
    c20.intoArray(tile, 2 * NR + co);
    c21.intoArray(tile, 2 * NR + co + L);
    c30.intoArray(tile, 3 * NR + co);
    c31.intoArray(tile, 3 * NR + co + L);
  }

  private static void gemv4F16(float[] xp, int xOff, int co, short[] w, int off, int in, float[] tile) {
    FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
        c31 = c00;
    for (int k = 0; k < in; k++) {
      int wi = off + k * NR + co;
      FloatVector b0 = widenF16(w, wi);
      FloatVector b1 = widenF16(w, wi + L);
      FloatVector v = FloatVector.broadcast(F, xp[xOff + 4 * k]);
      c00 = b0.fma(v, c00);
      c01 = b1.fma(v, c01);
      v = FloatVector.broadcast(F, xp[xOff + 4 * k + 1]);
      c10 = b0.fma(v, c10);
      c11 = b1.fma(v, c11);
      v = FloatVector.broadcast(F, xp[xOff + 4 * k + 2]);
      c20 = b0.fma(v, c20);
      c21 = b1.fma(v, c21);
      v = FloatVector.broadcast(F, xp[xOff + 4 * k + 3]);
      c30 = b0.fma(v, c30);
      c31 = b1.fma(v, c31);
    }
    c00.intoArray(tile, co);
    c01.intoArray(tile, co + L);
    c10.intoArray(tile, NR + co);
    c11.intoArray(tile, NR + co + L);
    c20.intoArray(tile, 2 * NR + co);
    c21.intoArray(tile, 2 * NR + co + L);
    c30.intoArray(tile, 3 * NR + co);
    c31.intoArray(tile, 3 * NR + co + L);
  }

  private static void gemv4Bf16(float[] xp, int xOff, int co, short[] w, int off, int in, float[] tile) {
    FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
        c31 = c00;
    for (int k = 0; k < in; k++) {
      int wi = off + k * NR + co;
      FloatVector b0 = widenBf16(w, wi);
      FloatVector b1 = widenBf16(w, wi + L);
      FloatVector v = FloatVector.broadcast(F, xp[xOff + 4 * k]);
      c00 = b0.fma(v, c00);
      c01 = b1.fma(v, c01);
      v = FloatVector.broadcast(F, xp[xOff + 4 * k + 1]);
      c10 = b0.fma(v, c10);
      c11 = b1.fma(v, c11);
      v = FloatVector.broadcast(F, xp[xOff + 4 * k + 2]);
      c20 = b0.fma(v, c20);
      c21 = b1.fma(v, c21);
      v = FloatVector.broadcast(F, xp[xOff + 4 * k + 3]);
      c30 = b0.fma(v, c30);
      c31 = b1.fma(v, c31);
    }
    c00.intoArray(tile, co);
    c01.intoArray(tile, co + L);
    c10.intoArray(tile, NR + co);
    c11.intoArray(tile, NR + co + L);
    c20.intoArray(tile, 2 * NR + co);
    c21.intoArray(tile, 2 * NR + co + L);
    c30.intoArray(tile, 3 * NR + co);
    c31.intoArray(tile, 3 * NR + co + L);
  }


  // ------------------------------------------------------------------ attention GEMMs (calling thread)

  /** Per-thread scratch of the attention GEMMs. */
  private static final class AttentionScratch {
    float[] b = new float[0];
    final float[] tile = new float[MR * NR];
  }

  private static final ThreadLocal<AttentionScratch> ATTENTION = ThreadLocal.withInitial(AttentionScratch::new);

  /**
   * {@link CpuOps#gemmABt}: B is packed transposed into panels {@code [n/32][k][32]} (zero-padded),
   * then blocks of {@link #ROW_BLOCK} rows of A sweep the panels with the 6 x 32 micro-kernel reading
   * A's rows in place.
   */
  static void gemmABt(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc) {
    if (m <= 0 || n <= 0) {
      return;
    }
    int panels = (n + NR - 1) / NR;
    AttentionScratch s = ATTENTION.get();
    int size = Math.multiplyExact(panels * NR, k);
    if (s.b.length < size) {
      s.b = new float[size];
    }
    float[] bp = s.b;
    for (int p = 0; p < panels; p++) {
      for (int j = 0; j < NR; j++) {
        int col = p * NR + j;
        int dst = p * k * NR + j;
        if (col < n) {
          int src = bOff + col * ldb;
          for (int t = 0; t < k; t++) {
            bp[dst + t * NR] = b[src + t];
          }
        } else {
          for (int t = 0; t < k; t++) {
            bp[dst + t * NR] = 0f;
          }
        }
      }
    }
    float[] tile = s.tile;
    for (int i0 = 0; i0 < m; i0 += ROW_BLOCK) {
      int i1 = Math.min(m, i0 + ROW_BLOCK);
      for (int p = 0; p < panels; p++) {
        int col0 = p * NR;
        int cols = Math.min(NR, n - col0);
        for (int i = i0; i < i1; i += MR) {
          int rows = Math.min(MR, i1 - i);
          for (int co = 0; co < NR; co += W) {
            microStrided(a, aOff + i * lda, lda, rows, bp, p * k * NR, co, k, tile);
          }
          storeScaled(tile, alpha, c, cOff + i * ldc + col0, ldc, rows, cols);
        }
      }
    }
  }

  /**
   * {@link CpuOps#gemmAB}: B's columns are packed into panels {@code [n/32][k][32]} (contiguous, so
   * that a strided B costs no TLB misses in the inner loop); every tile of 6 rows of A (read in place)
   * sweeps all panels over the whole K.
   */
  static void gemmAB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c,
      int cOff, int ldc) {
    if (m <= 0 || n <= 0) {
      return;
    }
    int panels = (n + NR - 1) / NR;
    AttentionScratch s = ATTENTION.get();
    int size = Math.multiplyExact(panels * NR, k);
    if (s.b.length < size) {
      s.b = new float[size];
    }
    float[] bp = s.b;
    for (int p = 0; p < panels; p++) {
      int col0 = p * NR;
      int cols = Math.min(NR, n - col0);
      int dst = p * k * NR;
      for (int t = 0; t < k; t++) {
        int src = bOff + t * ldb + col0;
        if (cols == NR) {
          for (int j = 0; j < NR; j += L) {
            FloatVector.fromArray(F, b, src + j).intoArray(bp, dst + t * NR + j);
          }
        } else {
          for (int j = 0; j < NR; j++) {
            bp[dst + t * NR + j] = j < cols ? b[src + j] : 0f;
          }
        }
      }
    }
    float[] tile = s.tile;
    for (int i = 0; i < m; i += MR) {
      int rows = Math.min(MR, m - i);
      for (int p = 0; p < panels; p++) {
        int col0 = p * NR;
        for (int co = 0; co < NR; co += W) {
          microStrided(a, aOff + i * lda, lda, rows, bp, p * k * NR, co, k, tile);
        }
        storeScaled(tile, 1f, c, cOff + i * ldc + col0, ldc, rows, Math.min(NR, n - col0));
      }
    }
  }

  private static void storeScaled(float[] tile, float alpha, float[] c, int c0, int ldc, int rows, int cols) {
    if (cols == NR) {
      FloatVector s = FloatVector.broadcast(F, alpha);
      for (int q = 0; q < rows; q++) {
        int dst = c0 + q * ldc;
        for (int j = 0; j < NR; j += L) {
          FloatVector.fromArray(F, tile, q * NR + j).mul(s).intoArray(c, dst + j);
        }
      }
    } else {
      for (int q = 0; q < rows; q++) {
        int dst = c0 + q * ldc;
        for (int j = 0; j < cols; j++) {
          c[dst + j] = alpha * tile[q * NR + j];
        }
      }
    }
  }

  /**
   * A 6 x 32 tile over {@code k}: A's rows in place from {@code a0} at stride {@code lda} ({@code rows}
   * of them; the missing ones repeat the last, their results unused), B packed [k][32] from {@code bOff}.
   */
  private static void microStrided(float[] a, int a0, int lda, int rows, float[] b, int bOff, int co, int k,
      float[] tile) {
    int last = rows - 1;
    int r0 = a0;
    int r1 = a0 + Math.min(1, last) * lda;
    int r2 = a0 + Math.min(2, last) * lda;
    int r3 = a0 + Math.min(3, last) * lda;
    int r4 = a0 + Math.min(4, last) * lda;
    int r5 = a0 + Math.min(5, last) * lda;
    FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
        c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int t = 0; t < k; t++) {
      int bi = bOff + t * NR + co;
      FloatVector b0 = FloatVector.fromArray(F, b, bi);
      FloatVector b1 = FloatVector.fromArray(F, b, bi + L);
      FloatVector v = FloatVector.broadcast(F, a[r0 + t]);
      c00 = b0.fma(v, c00);
      c01 = b1.fma(v, c01);
      v = FloatVector.broadcast(F, a[r1 + t]);
      c10 = b0.fma(v, c10);
      c11 = b1.fma(v, c11);
      v = FloatVector.broadcast(F, a[r2 + t]);
      c20 = b0.fma(v, c20);
      c21 = b1.fma(v, c21);
      v = FloatVector.broadcast(F, a[r3 + t]);
      c30 = b0.fma(v, c30);
      c31 = b1.fma(v, c31);
      v = FloatVector.broadcast(F, a[r4 + t]);
      c40 = b0.fma(v, c40);
      c41 = b1.fma(v, c41);
      v = FloatVector.broadcast(F, a[r5 + t]);
      c50 = b0.fma(v, c50);
      c51 = b1.fma(v, c51);
    }
    c00.intoArray(tile, co);
    c01.intoArray(tile, co + L);
    c10.intoArray(tile, NR + co);
    c11.intoArray(tile, NR + co + L);
    c20.intoArray(tile, 2 * NR + co);
    c21.intoArray(tile, 2 * NR + co + L);
    c30.intoArray(tile, 3 * NR + co);
    c31.intoArray(tile, 3 * NR + co + L);
    c40.intoArray(tile, 4 * NR + co);
    c41.intoArray(tile, 4 * NR + co + L);
    c50.intoArray(tile, 5 * NR + co);
    c51.intoArray(tile, 5 * NR + co + L);
  }

  // ------------------------------------------------------------------ element-wise (calling thread)

  private static final float LOG2E = 1.44269504088896341f;
  private static final float ROUND = 12582912f; // 1.5 * 2^23: adding it rounds to an integer (ties to even)
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;
  private static final float EXP_MIN = -87.33654f; // ln(2^-126): below, the result is flushed to 0
  private static final float EXP_CLAMP = 88.37626f; // 127.5 ln 2: the largest argument with 2^n normal
  private static final float EXP_MAX = 88.72284f; // ln(Float.MAX_VALUE): above, the result is +inf
  // Polynomial constants as vectors: static finals, not broadcasts at each use, which keeps the
  // JIT's node count of the element-wise methods low enough that it inlines every Vector API call.
  // erf's series in z^2 (ERF_S0 = 2 / sqrt(pi)), erfc's polynomial in t, e^r's Taylor terms
  private static final FloatVector ERF_S7 = FloatVector.broadcast(F, -1.4925650358406251e-5f);
  private static final FloatVector ERF_S6 = FloatVector.broadcast(F, 1.2055332981789664e-4f);
  private static final FloatVector ERF_S5 = FloatVector.broadcast(F, -8.548327023450852e-4f);
  private static final FloatVector ERF_S4 = FloatVector.broadcast(F, 0.005223977625442188f);
  private static final FloatVector ERF_S3 = FloatVector.broadcast(F, -0.026866170645131252f);
  private static final FloatVector ERF_S2 = FloatVector.broadcast(F, 0.11283791670955126f);
  private static final FloatVector ERF_S1 = FloatVector.broadcast(F, -0.37612638903183754f);
  private static final FloatVector ERF_S0 = FloatVector.broadcast(F, 1.1283791670955126f);
  private static final FloatVector V_HALF = FloatVector.broadcast(F, 0.5f);
  private static final FloatVector V_ONE = FloatVector.broadcast(F, 1f);
  private static final FloatVector ERFC_P9 = FloatVector.broadcast(F, 0.17087277f);
  private static final FloatVector ERFC_P8 = FloatVector.broadcast(F, -0.82215223f);
  private static final FloatVector ERFC_P7 = FloatVector.broadcast(F, 1.48851587f);
  private static final FloatVector ERFC_P6 = FloatVector.broadcast(F, -1.13520398f);
  private static final FloatVector ERFC_P5 = FloatVector.broadcast(F, 0.27886807f);
  private static final FloatVector ERFC_P4 = FloatVector.broadcast(F, -0.18628806f);
  private static final FloatVector ERFC_P3 = FloatVector.broadcast(F, 0.09678418f);
  private static final FloatVector ERFC_P2 = FloatVector.broadcast(F, 0.37409196f);
  private static final FloatVector ERFC_P1 = FloatVector.broadcast(F, 1.00002368f);
  private static final FloatVector ERFC_P0 = FloatVector.broadcast(F, -1.26551223f);
  private static final FloatVector V_LOG2E = FloatVector.broadcast(F, LOG2E);
  private static final FloatVector V_ROUND = FloatVector.broadcast(F, ROUND);
  private static final FloatVector V_NEG_LN2_HI = FloatVector.broadcast(F, -LN2_HI);
  private static final FloatVector V_NEG_LN2_LO = FloatVector.broadcast(F, -LN2_LO);
  private static final FloatVector EXP_C7 = FloatVector.broadcast(F, 1f / 5040f);
  private static final FloatVector EXP_C6 = FloatVector.broadcast(F, 1f / 720f);
  private static final FloatVector EXP_C5 = FloatVector.broadcast(F, 1f / 120f);
  private static final FloatVector EXP_C4 = FloatVector.broadcast(F, 1f / 24f);
  private static final FloatVector EXP_C3 = FloatVector.broadcast(F, 1f / 6f);

  /**
   * e^x per lane: x = n ln 2 + r with |r| <= ln(2)/2, e^r by its Taylor polynomial of degree 7
   * (truncation error below 6e-9 relative), times 2^n built in the exponent bits. Relative error about
   * 2 ulp. Results below Float.MIN_NORMAL are flushed to 0; arguments in (88.376, 88.723] give
   * e^88.376 (2.4e38) instead of up to 3.4e38; above 88.723, +inf. In place on {@code a[i, i + L)}.
   *
   * <p>A method on arrays: a helper that takes or returns vectors is fast only where the JIT inlines
   * it, and once a method outgrows the JIT's inlining node budget some calls are left out and their
   * vectors boxed (geluErf, with a broadcast at every constant, ran 5-10x slower than now).
   */
  static void expAt(float[] a, int i) {
    FloatVector x = FloatVector.fromArray(F, a, i);
    FloatVector xc = x.max(EXP_MIN).min(EXP_CLAMP);
    FloatVector t = xc.fma(V_LOG2E, V_ROUND);
    FloatVector n = t.sub(ROUND);
    FloatVector r = n.fma(V_NEG_LN2_HI, xc);
    r = n.fma(V_NEG_LN2_LO, r);
    FloatVector p = r.fma(EXP_C7, EXP_C6);
    p = p.fma(r, EXP_C5);
    p = p.fma(r, EXP_C4);
    p = p.fma(r, EXP_C3);
    p = p.fma(r, V_HALF);
    p = p.fma(r, V_ONE);
    p = p.fma(r, V_ONE);
    IntVector bits = t.reinterpretAsInts().sub(0x4B400000 - 127).lanewise(VectorOperators.LSHL, 23);
    FloatVector e = p.mul(bits.reinterpretAsFloats());
    e = e.blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
    e.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX)).intoArray(a, i);
  }

  /** Lanes of {@code v} added in lane order (never {@code reduceLanes(ADD)}, whose order varies). */
  private static float sumLanes(FloatVector v) {
    float[] lanes = new float[L];
    v.intoArray(lanes, 0);
    float s = 0f;
    for (int i = 0; i < L; i++) {
      s += lanes[i];
    }
    return s;
  }

  /** {@link CpuOps#softmax}: max, e^(x - max) and its sum, scale; the tail through a padded buffer. */
  static void softmax(float[] x, int off, int len) {
    if (len <= 0) {
      return;
    }
    // small passes, each its own method: one large method with every pass inline was not fully
    // compiled by C2 (its vectors stayed boxed: a real-size prefill spent ~2 s in softmax)
    int body = len - len % L;
    float max = maxOf(x, off, body);
    for (int i = body; i < len; i++) {
      max = Math.max(max, x[off + i]);
    }
    shiftExp(x, off, body, max);
    FloatVector sum = sumOf(x, off, body);
    float[] tail = null;
    if (body < len) {
      tail = new float[L];
      java.util.Arrays.fill(tail, Float.NEGATIVE_INFINITY);
      System.arraycopy(x, off + body, tail, 0, len - body);
      shiftExp(tail, 0, L, max);
      sum = sum.add(FloatVector.fromArray(F, tail, 0));
    }
    float inv = 1f / sumLanes(sum);
    scale(x, off, body, inv);
    if (tail != null) {
      for (int i = body; i < len; i++) {
        x[off + i] = tail[i - body] * inv;
      }
    }
  }

  private static float maxOf(float[] x, int off, int body) {
    FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < body; i += L) {
      vmax = vmax.max(FloatVector.fromArray(F, x, off + i));
    }
    return vmax.reduceLanes(VectorOperators.MAX); // exact in any order
  }

  /** {@code x[i] = exp(x[i] - max)} over {@code [off, off + body)}, body a multiple of L. */
  private static void shiftExp(float[] x, int off, int body, float max) {
    FloatVector vm = FloatVector.broadcast(F, max);
    for (int i = 0; i < body; i += L) {
      FloatVector.fromArray(F, x, off + i).sub(vm).intoArray(x, off + i);
    }
    for (int i = 0; i < body; i += L) {
      expAt(x, off + i);
    }
  }

  private static FloatVector sumOf(float[] x, int off, int body) {
    FloatVector sum = FloatVector.zero(F);
    for (int i = 0; i < body; i += L) {
      sum = sum.add(FloatVector.fromArray(F, x, off + i));
    }
    return sum;
  }

  private static void scale(float[] x, int off, int body, float s) {
    FloatVector inv = FloatVector.broadcast(F, s);
    for (int i = 0; i < body; i += L) {
      FloatVector.fromArray(F, x, off + i).mul(inv).intoArray(x, off + i);
    }
  }

  /** {@link CpuOps#quickGelu}. */
  static void quickGelu(float[] x, int n) {
    float[] e = new float[L];
    int body = n - n % L;
    for (int i = 0; i < body; i += L) {
      quickGeluAt(x, i, e);
    }
    if (body < n) {
      float[] t = java.util.Arrays.copyOfRange(x, body, body + L);
      quickGeluAt(t, 0, e);
      System.arraycopy(t, 0, x, body, n - body);
    }
  }

  private static void quickGeluAt(float[] x, int i, float[] e) {
    FloatVector v = FloatVector.fromArray(F, x, i);
    v.mul(-1.702f).intoArray(e, 0);
    expAt(e, 0);
    v.div(FloatVector.fromArray(F, e, 0).add(1f)).intoArray(x, i);
  }

  /** {@link CpuOps#geluTanh}: {@code x * sigmoid(2u)} with {@code u = sqrt(2/pi) (x + 0.044715 x^3)}, equal to {@code 0.5 x (1 + tanh u)}. */
  static void geluTanh(float[] x, int n) {
    float[] e = new float[L];
    int body = n - n % L;
    for (int i = 0; i < body; i += L) {
      geluTanhAt(x, i, e);
    }
    if (body < n) {
      float[] t = java.util.Arrays.copyOfRange(x, body, body + L);
      geluTanhAt(t, 0, e);
      System.arraycopy(t, 0, x, body, n - body);
    }
  }

  private static void geluTanhAt(float[] x, int i, float[] e) {
    FloatVector v = FloatVector.fromArray(F, x, i);
    FloatVector cube = v.mul(v).mul(v);
    cube.mul(0.044715f).add(v).mul(-2f * 0.7978845608028654f).intoArray(e, 0);
    expAt(e, 0);
    v.div(FloatVector.fromArray(F, e, 0).add(1f)).intoArray(x, i);
  }

  /** {@link CpuOps#siluMul}. */
  static void siluMul(float[] gate, float[] up, int n) {
    float[] e = new float[L];
    int body = n - n % L;
    for (int i = 0; i < body; i += L) {
      siluMulAt(gate, up, i, e);
    }
    if (body < n) {
      float[] g = java.util.Arrays.copyOfRange(gate, body, body + L);
      float[] u = java.util.Arrays.copyOfRange(up, body, body + L);
      siluMulAt(g, u, 0, e);
      System.arraycopy(g, 0, gate, body, n - body);
    }
  }

  private static void siluMulAt(float[] gate, float[] up, int i, float[] e) {
    FloatVector g = FloatVector.fromArray(F, gate, i);
    g.neg().intoArray(e, 0);
    expAt(e, 0);
    g.div(FloatVector.fromArray(F, e, 0).add(1f)).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
  }

  /**
   * GELU of the vector at {@code a[i]}, in place ({@code e}: L floats of scratch; arrays, not vectors,
   * cross the calls, see {@link #expAt}). erf per lane in float32,
   * the same approximations as {@link ScalarCpuOps#erf}: its Taylor series to
   * z^15 below 0.5, above it 1 - erfc with erfc(z) = t exp(-z^2 - 1.26551223 + t P(t)), t = 1 / (1 + z/2)
   * (Numerical Recipes' erfcc, relative error 1.2e-7). Absolute error about 2e-7 (tested below 4e-7).
   */
  private static void geluAt(float[] a, int i, float[] e) {
    FloatVector v = FloatVector.fromArray(F, a, i);
    FloatVector x = v.mul(0.70710678118654752f);
    FloatVector z = x.abs();
    FloatVector z2 = z.mul(z);
    FloatVector s = z2.fma(ERF_S7, ERF_S6);
    s = s.fma(z2, ERF_S5);
    s = s.fma(z2, ERF_S4);
    s = s.fma(z2, ERF_S3);
    s = s.fma(z2, ERF_S2);
    s = s.fma(z2, ERF_S1);
    s = s.fma(z2, ERF_S0);
    FloatVector small = s.mul(z);
    FloatVector t = z.fma(V_HALF, V_ONE);
    t = FloatVector.broadcast(F, 1f).div(t);
    FloatVector q = t.fma(ERFC_P9, ERFC_P8);
    q = q.fma(t, ERFC_P7);
    q = q.fma(t, ERFC_P6);
    q = q.fma(t, ERFC_P5);
    q = q.fma(t, ERFC_P4);
    q = q.fma(t, ERFC_P3);
    q = q.fma(t, ERFC_P2);
    q = q.fma(t, ERFC_P1);
    q = q.fma(t, ERFC_P0);
    q.sub(z2).intoArray(e, 0);
    expAt(e, 0);
    FloatVector erfc = t.mul(FloatVector.fromArray(F, e, 0));
    FloatVector large = FloatVector.broadcast(F, 1f).sub(erfc);
    FloatVector r = large.blend(small, z.compare(VectorOperators.LT, 0.5f));
    IntVector sign = x.reinterpretAsInts().and(0x80000000);
    FloatVector erf = r.reinterpretAsInts().or(sign).reinterpretAsFloats();
    v.mul(0.5f).mul(erf.add(1f)).intoArray(a, i);
  }

  /** {@link CpuOps#geluErf}. */
  static void geluErf(float[] x, int n) {
    float[] e = new float[L];
    int body = n - n % L;
    for (int i = 0; i < body; i += L) {
      geluAt(x, i, e);
    }
    if (body < n) {
      float[] t = java.util.Arrays.copyOfRange(x, body, body + L);
      geluAt(t, 0, e);
      System.arraycopy(t, 0, x, body, n - body);
    }
  }

  /** {@link CpuOps#addInPlace}. */
  static void addInPlace(float[] x, float[] y, int n) {
    int body = n - n % L;
    for (int i = 0; i < body; i += L) {
      FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i)).intoArray(x, i);
    }
    for (int i = body; i < n; i++) {
      x[i] += y[i];
    }
  }

  /** Sum of {@code x[o, o + d)}: lanes, then lanes in order, then the tail. */
  private static float sum(float[] x, int o, int d) {
    int body = d - d % L;
    FloatVector acc = FloatVector.zero(F);
    for (int i = 0; i < body; i += L) {
      acc = acc.add(FloatVector.fromArray(F, x, o + i));
    }
    float s = sumLanes(acc);
    for (int i = body; i < d; i++) {
      s += x[o + i];
    }
    return s;
  }

  /** Sum of {@code (x[i] - c)^2} over {@code [o, o + d)}. */
  private static float sumSquares(float[] x, int o, int d, float c) {
    int body = d - d % L;
    FloatVector vc = FloatVector.broadcast(F, c);
    FloatVector acc = FloatVector.zero(F);
    for (int i = 0; i < body; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, o + i).sub(vc);
      acc = v.fma(v, acc);
    }
    float s = sumLanes(acc);
    for (int i = body; i < d; i++) {
      float v = x[o + i] - c;
      s += v * v;
    }
    return s;
  }

  /** {@link CpuOps#layerNorm}. */
  static void layerNorm(float[] x, int rows, int d, float[] weight, float[] bias, float eps, float[] y) {
    int body = d - d % L;
    for (int r = 0; r < rows; r++) {
      int o = r * d;
      float mean = sum(x, o, d) / d;
      float var = sumSquares(x, o, d, mean) / d;
      float inv = (float) (1.0 / Math.sqrt(var + eps));
      FloatVector vm = FloatVector.broadcast(F, mean);
      FloatVector vi = FloatVector.broadcast(F, inv);
      for (int i = 0; i < body; i += L) {
        FloatVector.fromArray(F, x, o + i).sub(vm).mul(vi).mul(FloatVector.fromArray(F, weight, i))
            .add(FloatVector.fromArray(F, bias, i)).intoArray(y, o + i);
      }
      for (int i = body; i < d; i++) {
        y[o + i] = (x[o + i] - mean) * inv * weight[i] + bias[i];
      }
    }
  }

  /** {@link CpuOps#rmsNorm}. */
  static void rmsNorm(float[] x, int rows, int d, float[] weight, float eps, float[] y) {
    int body = d - d % L;
    for (int r = 0; r < rows; r++) {
      int o = r * d;
      float ms = sumSquares(x, o, d, 0f) / d;
      float inv = (float) (1.0 / Math.sqrt(ms + eps));
      FloatVector vi = FloatVector.broadcast(F, inv);
      for (int i = 0; i < body; i += L) {
        FloatVector.fromArray(F, weight, i).mul(FloatVector.fromArray(F, x, o + i).mul(vi)).intoArray(y, o + i);
      }
      for (int i = body; i < d; i++) {
        y[o + i] = weight[i] * (x[o + i] * inv);
      }
    }
  }
}
