package org.visualscratchpad.torch.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API implementation of {@link CpuOps} for 512-bit vectors (16 float lanes; {@link
 * PackedWeight#NR} = 32 = two vectors). Only loaded when the module {@code jdk.incubator.vector} is in
 * the boot layer and {@link #supported()} holds; {@link CpuOps} dispatches to it.
 *
 * <p>Only heap-array calls ({@code fromArray}, {@code intoArray}, shape conversions) are used, so the
 * code runs alike on JDK 17 and 25. Vector lanes are never summed with {@code reduceLanes(ADD)}
 * (whose order differs between the interpreter and the JIT on JDK 25): they are stored and added in a
 * fixed order, so every result has the same bits on every run and thread count.
 *
 * <p><b>linear, many rows</b> (GEMM, {@code m >= } {@link #GEMM_MIN_ROWS}): the rows are swept in
 * blocks of {@link #ROW_BLOCK} and K in slices of {@link #KC}; per (row block, K slice) each task packs
 * the block's rows k-major into tiles of {@link #MR} rows ({@code [tiles][kc][MR]}, L2 resident), widens
 * the K slice of each of its weight panels to float32 once (F16/BF16; F32 is read in place), and runs a
 * 6 x 32 micro-kernel (12 accumulators in registers) over the slice for every tile of the block. The
 * accumulators continue from the previous slice's partial sums, so the summation order (k ascending)
 * does not depend on the slicing. Tasks own disjoint panels (the output dimension). Bias is added at
 * the last store.
 *
 * <p><b>linear, few rows</b> (GEMV): every panel is streamed once, half precision widened in registers,
 * up to four rows per pass.
 *
 * <p>F16 is widened exactly with integer operations (the JDK 17 Vector API has no half-float
 * conversion): the sign-extended 16 bits shifted left by 13 and masked to sign, exponent and mantissa
 * make a float32 whose exponent is 112 too small; multiplying by 2^112 is exact for normal values,
 * subnormals and zero. F16 infinities and NaNs become finite values (65,536 to 131,008 in magnitude);
 * weights never hold them. BF16 is the upper half of a float32.
 */
final class VectorCpuOps {
  private VectorCpuOps() {}

  static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
  private static final VectorSpecies<Short> H = ShortVector.SPECIES_256;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
  private static final int L = 16;
  private static final int NR = PackedWeight.NR;
  /** Rows per micro-tile of the GEMM. */
  static final int MR = 6;
  /** Rows per block of the GEMM sweep (a multiple of MR). */
  static final int ROW_BLOCK = Integer.getInteger("vsp.cpu.rowBlock", 96) / MR * MR;
  /** K values per slice of the GEMM sweep. */
  static final int KC = Integer.getInteger("vsp.cpu.kc", 1024);
  /** Rows from which linear takes the GEMM path. */
  static final int GEMM_MIN_ROWS = 5;

  /** Whether this machine's preferred vectors are 512-bit (the only shape these kernels are written for). */
  static boolean supported() {
    return FloatVector.SPECIES_PREFERRED.length() >= L && NR == 2 * L;
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
    java.util.function.IntConsumer body = task -> {
      int p0 = (int) ((long) panels * task / tasks);
      int p1 = (int) ((long) panels * (task + 1) / tasks);
      if (m >= GEMM_MIN_ROWS) {
        gemmPanels(x, m, w, bias, y, p0, p1);
      } else {
        gemvPanels(x, m, w, bias, y, p0, p1);
      }
    };
    if (tasks == 1) {
      body.accept(0);
    } else {
      CpuThreads.parallelFor(tasks, body);
    }
  }

  private static void gemmPanels(float[] x, int m, PackedWeight w, float[] bias, float[] y, int p0, int p1) {
    int in = w.in;
    int out = w.out;
    Scratch s = SCRATCH.get();
    int kcMax = Math.min(KC, in);
    int aSize = ROW_BLOCK * kcMax;
    if (s.a.length < aSize) {
      s.a = new float[aSize];
    }
    boolean half = w.storage != PackedWeight.Storage.F32;
    if (half && s.b.length < kcMax * NR) {
      s.b = new float[kcMax * NR];
    }
    float[] a = s.a;
    float[] tile = s.tile;
    for (int r0 = 0; r0 < m; r0 += ROW_BLOCK) {
      int r1 = Math.min(m, r0 + ROW_BLOCK);
      int tiles = (r1 - r0 + MR - 1) / MR;
      for (int k0 = 0; k0 < in; k0 += KC) {
        int kc = Math.min(KC, in - k0);
        boolean first = k0 == 0;
        boolean last = k0 + kc == in;
        packRows(x, in, r0, r1, k0, kc, a);
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
            micro6(a, t * kc * MR, b, bOff, kc, tile, !first);
            storeTile(tile, bb, y, out, row0, rows, col0, cols);
          }
        }
      }
    }
  }

  /** Rows [r0, r1) of x, columns [k0, k0 + kc), into {@code a} as [tiles][kc][MR], missing rows zero. */
  private static void packRows(float[] x, int in, int r0, int r1, int k0, int kc, float[] a) {
    int tiles = (r1 - r0 + MR - 1) / MR;
    for (int t = 0; t < tiles; t++) {
      int base = t * kc * MR;
      for (int q = 0; q < MR; q++) {
        int row = r0 + t * MR + q;
        if (row < r1) {
          int src = row * in + k0;
          for (int k = 0; k < kc; k++) {
            a[base + k * MR + q] = x[src + k];
          }
        } else {
          for (int k = 0; k < kc; k++) {
            a[base + k * MR + q] = 0f;
          }
        }
      }
    }
  }

  private static void loadTile(float[] y, int out, int row0, int rows, int col0, int cols, float[] tile) {
    for (int i = 0; i < rows; i++) {
      int src = (row0 + i) * out + col0;
      if (cols == NR) {
        FloatVector.fromArray(F, y, src).intoArray(tile, i * NR);
        FloatVector.fromArray(F, y, src + L).intoArray(tile, i * NR + L);
      } else {
        System.arraycopy(y, src, tile, i * NR, cols);
      }
    }
  }

  /** Tile rows into y, plus {@code bias} (32 values, zero-padded) when not null. */
  private static void storeTile(float[] tile, float[] bias, float[] y, int out, int row0, int rows, int col0,
      int cols) {
    if (cols == NR) {
      FloatVector b0 = bias == null ? null : FloatVector.fromArray(F, bias, 0);
      FloatVector b1 = bias == null ? null : FloatVector.fromArray(F, bias, L);
      for (int i = 0; i < rows; i++) {
        int dst = (row0 + i) * out + col0;
        FloatVector v0 = FloatVector.fromArray(F, tile, i * NR);
        FloatVector v1 = FloatVector.fromArray(F, tile, i * NR + L);
        if (bias != null) {
          v0 = v0.add(b0);
          v1 = v1.add(b1);
        }
        v0.intoArray(y, dst);
        v1.intoArray(y, dst + L);
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
   * A 6 x 32 tile over {@code kc} values of K: A packed [kc][6] from {@code aOff}, B [kc][32] from
   * {@code bOff}; the 12 accumulators start from {@code tile} ([6][32]) when {@code init}, else zero,
   * and end in it.
   */
  private static void micro6(float[] a, int aOff, float[] b, int bOff, int kc, float[] tile, boolean init) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (init) {
      c00 = FloatVector.fromArray(F, tile, 0);
      c01 = FloatVector.fromArray(F, tile, L);
      c10 = FloatVector.fromArray(F, tile, NR);
      c11 = FloatVector.fromArray(F, tile, NR + L);
      c20 = FloatVector.fromArray(F, tile, 2 * NR);
      c21 = FloatVector.fromArray(F, tile, 2 * NR + L);
      c30 = FloatVector.fromArray(F, tile, 3 * NR);
      c31 = FloatVector.fromArray(F, tile, 3 * NR + L);
      c40 = FloatVector.fromArray(F, tile, 4 * NR);
      c41 = FloatVector.fromArray(F, tile, 4 * NR + L);
      c50 = FloatVector.fromArray(F, tile, 5 * NR);
      c51 = FloatVector.fromArray(F, tile, 5 * NR + L);
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
      int bi = bOff + k * NR;
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
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    c40.intoArray(tile, 4 * NR);
    c41.intoArray(tile, 4 * NR + L);
    c50.intoArray(tile, 5 * NR);
    c51.intoArray(tile, 5 * NR + L);
  }

  // ------------------------------------------------------------------ GEMV (m <= 4)

  private static void gemvPanels(float[] x, int m, PackedWeight w, float[] bias, float[] y, int p0, int p1) {
    int in = w.in;
    int out = w.out;
    Scratch s = SCRATCH.get();
    // x interleaved k-major, 4 rows (missing rows zero): xp[k * 4 + r]
    if (s.a.length < 4 * in) {
      s.a = new float[4 * in];
    }
    float[] xp = s.a;
    for (int r = 0; r < 4; r++) {
      for (int k = 0; k < in; k++) {
        xp[k * 4 + r] = r < m ? x[r * in + k] : 0f;
      }
    }
    float[] tile = s.tile;
    for (int p = p0; p < p1; p++) {
      int off = p * in * NR;
      if (m == 1) {
        switch (w.storage) {
          case F32 -> gemv1F32(x, w.f32, off, in, tile);
          case F16 -> gemv1F16(x, w.half, off, in, tile);
          case BF16 -> gemv1Bf16(x, w.half, off, in, tile);
        }
      } else {
        switch (w.storage) {
          case F32 -> gemv4F32(xp, w.f32, off, in, tile);
          case F16 -> gemv4F16(xp, w.half, off, in, tile);
          case BF16 -> gemv4Bf16(xp, w.half, off, in, tile);
        }
      }
      int col0 = p * NR;
      int cols = Math.min(NR, out - col0);
      for (int r = 0; r < m; r++) {
        int dst = r * out + col0;
        for (int c = 0; c < cols; c++) {
          float v = tile[r * NR + c];
          y[dst + c] = bias == null ? v : v + bias[col0 + c];
        }
      }
    }
  }

  // One row: even and odd k in separate accumulators (two independent chains), summed at the end.

  private static void gemv1F32(float[] x, float[] w, int off, int in, float[] tile) {
    FloatVector e0 = FloatVector.zero(F), e1 = e0, o0 = e0, o1 = e0;
    int k = 0;
    for (; k + 1 < in; k += 2) {
      int wi = off + k * NR;
      FloatVector xe = FloatVector.broadcast(F, x[k]);
      FloatVector xo = FloatVector.broadcast(F, x[k + 1]);
      e0 = FloatVector.fromArray(F, w, wi).fma(xe, e0);
      e1 = FloatVector.fromArray(F, w, wi + L).fma(xe, e1);
      o0 = FloatVector.fromArray(F, w, wi + NR).fma(xo, o0);
      o1 = FloatVector.fromArray(F, w, wi + NR + L).fma(xo, o1);
    }
    if (k < in) {
      int wi = off + k * NR;
      FloatVector xe = FloatVector.broadcast(F, x[k]);
      e0 = FloatVector.fromArray(F, w, wi).fma(xe, e0);
      e1 = FloatVector.fromArray(F, w, wi + L).fma(xe, e1);
    }
    e0.add(o0).intoArray(tile, 0);
    e1.add(o1).intoArray(tile, L);
  }

  private static void gemv1F16(float[] x, short[] w, int off, int in, float[] tile) {
    FloatVector e0 = FloatVector.zero(F), e1 = e0, o0 = e0, o1 = e0;
    int k = 0;
    for (; k + 1 < in; k += 2) {
      int wi = off + k * NR;
      FloatVector xe = FloatVector.broadcast(F, x[k]);
      FloatVector xo = FloatVector.broadcast(F, x[k + 1]);
      e0 = widenF16(w, wi).fma(xe, e0);
      e1 = widenF16(w, wi + L).fma(xe, e1);
      o0 = widenF16(w, wi + NR).fma(xo, o0);
      o1 = widenF16(w, wi + NR + L).fma(xo, o1);
    }
    if (k < in) {
      int wi = off + k * NR;
      FloatVector xe = FloatVector.broadcast(F, x[k]);
      e0 = widenF16(w, wi).fma(xe, e0);
      e1 = widenF16(w, wi + L).fma(xe, e1);
    }
    e0.add(o0).intoArray(tile, 0);
    e1.add(o1).intoArray(tile, L);
  }

  private static void gemv1Bf16(float[] x, short[] w, int off, int in, float[] tile) {
    FloatVector e0 = FloatVector.zero(F), e1 = e0, o0 = e0, o1 = e0;
    int k = 0;
    for (; k + 1 < in; k += 2) {
      int wi = off + k * NR;
      FloatVector xe = FloatVector.broadcast(F, x[k]);
      FloatVector xo = FloatVector.broadcast(F, x[k + 1]);
      e0 = widenBf16(w, wi).fma(xe, e0);
      e1 = widenBf16(w, wi + L).fma(xe, e1);
      o0 = widenBf16(w, wi + NR).fma(xo, o0);
      o1 = widenBf16(w, wi + NR + L).fma(xo, o1);
    }
    if (k < in) {
      int wi = off + k * NR;
      FloatVector xe = FloatVector.broadcast(F, x[k]);
      e0 = widenBf16(w, wi).fma(xe, e0);
      e1 = widenBf16(w, wi + L).fma(xe, e1);
    }
    e0.add(o0).intoArray(tile, 0);
    e1.add(o1).intoArray(tile, L);
  }

  private static void gemv4F32(float[] xp, float[] w, int off, int in, float[] tile) {
    FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
        c31 = c00;
    for (int k = 0; k < in; k++) {
      int wi = off + k * NR;
      FloatVector b0 = FloatVector.fromArray(F, w, wi);
      FloatVector b1 = FloatVector.fromArray(F, w, wi + L);
      FloatVector v = FloatVector.broadcast(F, xp[4 * k]);
      c00 = b0.fma(v, c00);
      c01 = b1.fma(v, c01);
      v = FloatVector.broadcast(F, xp[4 * k + 1]);
      c10 = b0.fma(v, c10);
      c11 = b1.fma(v, c11);
      v = FloatVector.broadcast(F, xp[4 * k + 2]);
      c20 = b0.fma(v, c20);
      c21 = b1.fma(v, c21);
      v = FloatVector.broadcast(F, xp[4 * k + 3]);
      c30 = b0.fma(v, c30);
      c31 = b1.fma(v, c31);
    }
    store4(tile, c00, c01, c10, c11, c20, c21, c30, c31);
  }

  private static void gemv4F16(float[] xp, short[] w, int off, int in, float[] tile) {
    FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
        c31 = c00;
    for (int k = 0; k < in; k++) {
      int wi = off + k * NR;
      FloatVector b0 = widenF16(w, wi);
      FloatVector b1 = widenF16(w, wi + L);
      FloatVector v = FloatVector.broadcast(F, xp[4 * k]);
      c00 = b0.fma(v, c00);
      c01 = b1.fma(v, c01);
      v = FloatVector.broadcast(F, xp[4 * k + 1]);
      c10 = b0.fma(v, c10);
      c11 = b1.fma(v, c11);
      v = FloatVector.broadcast(F, xp[4 * k + 2]);
      c20 = b0.fma(v, c20);
      c21 = b1.fma(v, c21);
      v = FloatVector.broadcast(F, xp[4 * k + 3]);
      c30 = b0.fma(v, c30);
      c31 = b1.fma(v, c31);
    }
    store4(tile, c00, c01, c10, c11, c20, c21, c30, c31);
  }

  private static void gemv4Bf16(float[] xp, short[] w, int off, int in, float[] tile) {
    FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
        c31 = c00;
    for (int k = 0; k < in; k++) {
      int wi = off + k * NR;
      FloatVector b0 = widenBf16(w, wi);
      FloatVector b1 = widenBf16(w, wi + L);
      FloatVector v = FloatVector.broadcast(F, xp[4 * k]);
      c00 = b0.fma(v, c00);
      c01 = b1.fma(v, c01);
      v = FloatVector.broadcast(F, xp[4 * k + 1]);
      c10 = b0.fma(v, c10);
      c11 = b1.fma(v, c11);
      v = FloatVector.broadcast(F, xp[4 * k + 2]);
      c20 = b0.fma(v, c20);
      c21 = b1.fma(v, c21);
      v = FloatVector.broadcast(F, xp[4 * k + 3]);
      c30 = b0.fma(v, c30);
      c31 = b1.fma(v, c31);
    }
    store4(tile, c00, c01, c10, c11, c20, c21, c30, c31);
  }

  private static void store4(float[] tile, FloatVector c00, FloatVector c01, FloatVector c10, FloatVector c11,
      FloatVector c20, FloatVector c21, FloatVector c30, FloatVector c31) {
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
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
          microStrided(a, aOff + i * lda, lda, rows, bp, p * k * NR, k, tile);
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
          FloatVector.fromArray(F, b, src).intoArray(bp, dst + t * NR);
          FloatVector.fromArray(F, b, src + L).intoArray(bp, dst + t * NR + L);
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
        microStrided(a, aOff + i * lda, lda, rows, bp, p * k * NR, k, tile);
        storeScaled(tile, 1f, c, cOff + i * ldc + col0, ldc, rows, Math.min(NR, n - col0));
      }
    }
  }

  private static void storeScaled(float[] tile, float alpha, float[] c, int c0, int ldc, int rows, int cols) {
    if (cols == NR) {
      FloatVector s = FloatVector.broadcast(F, alpha);
      for (int q = 0; q < rows; q++) {
        int dst = c0 + q * ldc;
        FloatVector.fromArray(F, tile, q * NR).mul(s).intoArray(c, dst);
        FloatVector.fromArray(F, tile, q * NR + L).mul(s).intoArray(c, dst + L);
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
  private static void microStrided(float[] a, int a0, int lda, int rows, float[] b, int bOff, int k, float[] tile) {
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
      int bi = bOff + t * NR;
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
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    c40.intoArray(tile, 4 * NR);
    c41.intoArray(tile, 4 * NR + L);
    c50.intoArray(tile, 5 * NR);
    c51.intoArray(tile, 5 * NR + L);
  }
}
