package org.visualscratchpad.sae.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.visualscratchpad.sae.SparseActivations;

/**
 * The fast kernel (Vector API). Only loaded when the module {@code jdk.incubator.vector} is in the
 * boot layer; obtain it through {@link KernelChoice}.
 *
 * <p>Encode: {@code W_enc} is packed once, here, into column panels of {@code NR = 2 x lanes}
 * latents ({@code [panels][d_in][NR]}, the last panel zero-padded). Per call the input rows, with
 * {@code b_dec} subtracted, are packed into row tiles of {@code MR = 6} ({@code [tiles][d_in][MR]}).
 * A 6 x NR micro-kernel keeps its 12 accumulators in registers over the whole {@code d_in} and
 * writes them once to a 6 x NR tile buffer (L1); the architecture's {@link LatentActivation} (scale,
 * shift, cut-off, gate) is then applied as vector operations and only the active entries are
 * appended to per-row lists (no dense {@code [rows x d_sae]} block); a row top-k runs after the merge. Workers take chunks of panels (the latent dimension) from an atomic
 * counter, each chunk with its own row lists, merged in latent order at the end. Within a chunk the
 * rows are swept in blocks of 96 (16 tiles; {@link #ROW_BLOCK_TILES}): for each block, every panel of
 * the chunk against the block's tiles, so that the block's packed rows stay in L2 and each panel is
 * read once per block.
 *
 * <p>Decode and edits gather one {@code W_dec} row per active entry, four entries per pass over the
 * output row (which stays in L1).
 *
 * <p>Immutable and thread-safe; per-call scratch lives on the calling thread's stack.
 */
final class VectorSaeKernel implements SaeKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Latents per panel (two vectors). */
  static final int NR = 2 * L;
  /** Rows per micro-tile. */
  static final int MR = 6;
  /**
   * Row tiles per row block of the encode sweep (16 tiles = 96 rows). The system property
   * {@code vsp.kernel.rowBlockTiles} overrides it for tuning; 0 turns the blocking off.
   */
  static final int ROW_BLOCK_TILES = Integer.getInteger("vsp.kernel.rowBlockTiles", 16);
  /** Below this many multiply-adds an encode runs on the calling thread only. */
  private static final long PARALLEL_FLOPS = 1L << 22;

  private final SaeWeights w;
  private final int dIn;
  private final int dSae;
  private final int panels;
  private final float[] packed; // (panels, d_in, NR)
  private final float[] shiftPad; // (panels * NR)
  private final float[] scalePad; // (panels * NR) or null: scale 1
  private final float[] gateCutPad; // (panels * NR) or null: fires only where m > -gate
  private final float[] cutPad; // (panels * NR), +inf on padding
  private final float[] inputShift; // (d_in): b_dec if applied, else 0
  private final int topK;

  VectorSaeKernel(SaeWeights weights) {
    org.visualscratchpad.InvalidInputException.check(weights.hasEncoderMatrix(),
        "these SAE weights no longer hold W_enc; build kernels from the weights as loaded");
    this.w = weights.withoutEncoderMatrix();
    this.dIn = weights.dIn();
    this.dSae = weights.dSae();
    this.panels = (dSae + NR - 1) / NR;
    int padded = panels * NR;
    this.packed = new float[Math.multiplyExact(Math.multiplyExact(panels, dIn), NR)];
    for (int p = 0; p < panels; p++) {
      int col0 = p * NR;
      int width = Math.min(NR, dSae - col0);
      for (int k = 0; k < dIn; k++) {
        System.arraycopy(weights.wEnc, k * dSae + col0, packed, (p * dIn + k) * NR, width);
      }
    }
    LatentActivation act = weights.activation;
    this.shiftPad = Arrays.copyOf(act.shift, padded);
    this.scalePad = act.scale == null ? null : Arrays.copyOf(act.scale, padded);
    if (act.gate == null) {
      this.gateCutPad = null;
    } else {
      this.gateCutPad = new float[padded];
      for (int latentId = 0; latentId < dSae; latentId++) {
        gateCutPad[latentId] = -act.gate[latentId]; // m + gate > 0 exactly when m > -gate (finite floats)
      }
    }
    this.cutPad = Arrays.copyOf(act.cutoff, padded);
    Arrays.fill(cutPad, dSae, padded, Float.POSITIVE_INFINITY);
    this.inputShift = weights.config().applyBDecToInput() ? weights.bDec.clone() : new float[dIn];
    this.topK = act.topK;
  }

  @Override
  public String name() {
    return "vector[" + S.vectorBitSize() + "-bit, " + MR + "x" + NR + " tiles, " + (ROW_BLOCK_TILES > 0 ? ROW_BLOCK_TILES * MR + "-row blocks, " : "no row blocks, ") + KernelThreads.count() + " threads]";
  }

  @Override
  public SaeWeights weights() {
    return w;
  }

  // ---------------------------------------------------------------- encode

  /** Packs rows into tiles of MR rows, k-major, with the input shift subtracted. */
  private float[] packRows(float[] z, int rows) {
    int tiles = (rows + MR - 1) / MR;
    float[] a = new float[Math.multiplyExact(tiles * dIn, MR)]; // (tiles, d_in, MR)
    for (int row = 0; row < rows; row++) {
      int tile = row / MR;
      int lane = row % MR;
      int src = row * dIn;
      int dst = tile * dIn * MR + lane;
      for (int k = 0; k < dIn; k++) {
        a[dst + k * MR] = z[src + k] - inputShift[k];
      }
    }
    return a;
  }

  private int partsFor(int rows) {
    long flops = (long) rows * dIn * dSae;
    return flops < PARALLEL_FLOPS ? 1 : Math.min(KernelThreads.count(), panels);
  }

  @Override
  public SparseActivations encode(float[] z, int rows) {
    float[] a = packRows(z, rows);
    int parts = partsFor(rows);
    // panel chunks handed out dynamically, so that a worker preempted by another process does not
    // hold up the call; each chunk keeps its own row lists, merged below in chunk (= latent) order
    int chunks = parts == 1 ? 1 : Math.min(panels, 8 * parts);
    RowLists[] sinks = new RowLists[chunks];
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    KernelThreads.run(parts, part -> {
      for (int chunk = next.getAndIncrement(); chunk < chunks; chunk = next.getAndIncrement()) {
        RowLists sink = new RowLists(rows);
        int p0 = (int) ((long) panels * chunk / chunks);
        int p1 = (int) ((long) panels * (chunk + 1) / chunks);
        sweep(a, rows, p0, p1, sink, null);
        sinks[chunk] = sink;
      }
    });
    SparseActivations.Builder out = SparseActivations.builder(dSae);
    int[] ids = new int[64];
    float[] vals = new float[64];
    for (int row = 0; row < rows; row++) {
      int n = 0;
      for (RowLists sink : sinks) {
        int c = sink.counts[row];
        if (n + c > ids.length) {
          ids = Arrays.copyOf(ids, Math.max(n + c, ids.length * 2));
          vals = Arrays.copyOf(vals, ids.length);
        }
        if (c > 0) {
          System.arraycopy(sink.ids[row], 0, ids, n, c);
          System.arraycopy(sink.values[row], 0, vals, n, c);
          n += c;
        }
      }
      if (topK > 0) {
        n = TopK.keepLargest(ids, vals, n, topK);
      }
      out.addRow(ids, vals, n);
    }
    return out.build();
  }

  @Override
  public float[] preActivations(float[] z, int rows) {
    float[] a = packRows(z, rows);
    int padded = panels * NR;
    float[] dense = new float[Math.multiplyExact(rows, padded)];
    int parts = partsFor(rows);
    KernelThreads.run(parts, part -> {
      int p0 = (int) ((long) panels * part / parts);
      int p1 = (int) ((long) panels * (part + 1) / parts);
      sweep(a, rows, p0, p1, null, dense);
    });
    if (padded == dSae) {
      return dense;
    }
    float[] out = new float[rows * dSae];
    for (int row = 0; row < rows; row++) {
      System.arraycopy(dense, row * padded, out, row * dSae, dSae);
    }
    return out;
  }

  /**
   * Panels [p0, p1) against every row tile, in blocks of {@link #ROW_BLOCK_TILES} row tiles: block
   * outer, panel, then the block's tiles. The block's packed rows (about 384 KiB at 96 rows and
   * d_in 1024) stay in L2 while each 64 KiB panel passes through once per block; without the blocking
   * (panel outer over all rows) the packed rows of a large call (11.5 MB at P = 2885) stream past
   * every panel and push it out of L2. A row's entries are still appended in ascending latent order.
   */
  private void sweep(float[] a, int rows, int p0, int p1, RowLists sink, float[] dense) {
    int tiles = (rows + MR - 1) / MR;
    int blockTiles = ROW_BLOCK_TILES <= 0 ? tiles : ROW_BLOCK_TILES;
    float[] tile = new float[MR * NR];
    for (int t0 = 0; t0 < tiles; t0 += blockTiles) {
      int t1 = Math.min(tiles, t0 + blockTiles);
      sweepBlock(a, rows, p0, p1, t0, t1, tile, sink, dense);
    }
  }

  private void sweepBlock(float[] a, int rows, int p0, int p1, int t0, int t1, float[] tile, RowLists sink,
      float[] dense) {
    for (int p = p0; p < p1; p++) {
      int col0 = p * NR;
      for (int t = t0; t < t1; t++) {
        microKernel(a, t * dIn * MR, p * dIn * NR, tile);
        int row0 = t * MR;
        int n = Math.min(MR, rows - row0);
        if (dense != null) {
          for (int i = 0; i < n; i++) {
            int dst = (row0 + i) * panels * NR + col0;
            for (int c = 0; c < NR; c++) {
              float m = tile[i * NR + c];
              dense[dst + c] = scalePad == null ? m + shiftPad[col0 + c] : scalePad[col0 + c] * m + shiftPad[col0 + c];
            }
          }
        } else {
          emit(tile, n, row0, col0, sink);
        }
      }
    }
  }

  /**
   * One MR x NR tile over the whole d_in with its 12 accumulators in registers (no bias yet); written
   * to {@code tile} ([MR][NR]). Kept small so that the JIT allocates the loop's registers well.
   */
  private void microKernel(float[] a, int aOff, int bOff, float[] tile) {
    float[] b = packed;
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
    int k1 = dIn;
    for (int k = 0; k < k1; k++) {
      int bi = bOff + k * NR;
      int ai = aOff + k * MR;
      FloatVector b0 = FloatVector.fromArray(S, b, bi);
      FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
      FloatVector x = FloatVector.broadcast(S, a[ai]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      x = FloatVector.broadcast(S, a[ai + 1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      x = FloatVector.broadcast(S, a[ai + 2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      x = FloatVector.broadcast(S, a[ai + 3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      x = FloatVector.broadcast(S, a[ai + 4]);
      c40 = b0.fma(x, c40);
      c41 = b1.fma(x, c41);
      x = FloatVector.broadcast(S, a[ai + 5]);
      c50 = b0.fma(x, c50);
      c51 = b1.fma(x, c51);
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

  /** Applies the latent activation to the first {@code n} tile rows and appends the entries that fire. */
  private void emit(float[] tile, int n, int row0, int col0, RowLists sink) {
    FloatVector shift0 = FloatVector.fromArray(S, shiftPad, col0);
    FloatVector shift1 = FloatVector.fromArray(S, shiftPad, col0 + L);
    FloatVector cut0 = FloatVector.fromArray(S, cutPad, col0);
    FloatVector cut1 = FloatVector.fromArray(S, cutPad, col0 + L);
    FloatVector scale0 = scalePad == null ? null : FloatVector.fromArray(S, scalePad, col0);
    FloatVector scale1 = scalePad == null ? null : FloatVector.fromArray(S, scalePad, col0 + L);
    FloatVector gate0 = gateCutPad == null ? null : FloatVector.fromArray(S, gateCutPad, col0);
    FloatVector gate1 = gateCutPad == null ? null : FloatVector.fromArray(S, gateCutPad, col0 + L);
    for (int i = 0; i < n; i++) {
      emitHalf(tile, i * NR, scale0, shift0, cut0, gate0, row0 + i, col0, sink);
      emitHalf(tile, i * NR + L, scale1, shift1, cut1, gate1, row0 + i, col0 + L, sink);
    }
  }

  private static void emitHalf(float[] tile, int off, FloatVector scale, FloatVector shift, FloatVector cut,
      FloatVector gateCut, int row, int col, RowLists sink) {
    FloatVector m = FloatVector.fromArray(S, tile, off);
    FloatVector pre = scale == null ? m.add(shift) : m.mul(scale).add(shift);
    VectorMask<Float> active = pre.compare(VectorOperators.GT, cut);
    if (gateCut != null) {
      active = active.and(m.compare(VectorOperators.GT, gateCut));
    }
    if (active.anyTrue()) {
      pre.intoArray(tile, off);
      long bits = active.toLong();
      while (bits != 0) {
        int lane = Long.numberOfTrailingZeros(bits);
        sink.add(row, col + lane, tile[off + lane]);
        bits &= bits - 1;
      }
    }
  }

  /** Growing per-row lists of (latent, value), filled by one worker in ascending latent order. */
  private static final class RowLists {
    final int[][] ids;
    final float[][] values;
    final int[] counts;

    RowLists(int rows) {
      ids = new int[rows][];
      values = new float[rows][];
      counts = new int[rows];
    }

    void add(int row, int latentId, float value) {
      int n = counts[row];
      int[] i = ids[row];
      if (i == null || n == i.length) {
        int cap = i == null ? 16 : n * 2;
        ids[row] = i = i == null ? new int[cap] : Arrays.copyOf(i, cap);
        values[row] = values[row] == null ? new float[cap] : Arrays.copyOf(values[row], cap);
      }
      i[n] = latentId;
      values[row][n] = value;
      counts[row] = n + 1;
    }
  }

  // ---------------------------------------------------------------- decode and edits

  @Override
  public float[] decode(SparseActivations codes) {
    int rows = codes.rows();
    float[] out = new float[Math.multiplyExact(rows, dIn)];
    long work = (long) codes.nnz() * dIn;
    int parts = work < PARALLEL_FLOPS / 4 ? 1 : Math.min(KernelThreads.count(), rows);
    KernelThreads.run(parts, part -> {
      int r0 = (int) ((long) rows * part / parts);
      int r1 = (int) ((long) rows * (part + 1) / parts);
      float[] acc = new float[dIn];
      for (int row = r0; row < r1; row++) {
        Arrays.fill(acc, 0f);
        gather(acc, codes, row);
        int o = row * dIn;
        int c = 0;
        for (int bound = S.loopBound(dIn); c < bound; c += L) {
          FloatVector.fromArray(S, acc, c).add(FloatVector.fromArray(S, w.bDec, c)).intoArray(out, o + c);
        }
        for (; c < dIn; c++) {
          out[o + c] = acc[c] + w.bDec[c];
        }
      }
    });
    return out;
  }

  /** acc += sum over the row's entries of value * W_dec[latent], four entries per pass. */
  private void gather(float[] acc, SparseActivations codes, int row) {
    int i = codes.rowStart(row);
    int end = codes.rowEnd(row);
    for (; i + 4 <= end; i += 4) {
      axpy4(acc, codes.latentAt(i) * dIn, codes.valueAt(i), codes.latentAt(i + 1) * dIn, codes.valueAt(i + 1),
          codes.latentAt(i + 2) * dIn, codes.valueAt(i + 2), codes.latentAt(i + 3) * dIn, codes.valueAt(i + 3));
    }
    for (; i < end; i++) {
      axpy1(acc, codes.latentAt(i) * dIn, codes.valueAt(i));
    }
  }

  private void axpy4(float[] acc, int o0, float v0, int o1, float v1, int o2, float v2, int o3, float v3) {
    float[] wd = w.wDec;
    FloatVector x0 = FloatVector.broadcast(S, v0);
    FloatVector x1 = FloatVector.broadcast(S, v1);
    FloatVector x2 = FloatVector.broadcast(S, v2);
    FloatVector x3 = FloatVector.broadcast(S, v3);
    int c = 0;
    for (int bound = S.loopBound(dIn); c < bound; c += L) {
      FloatVector s = FloatVector.fromArray(S, acc, c);
      s = FloatVector.fromArray(S, wd, o0 + c).fma(x0, s);
      s = FloatVector.fromArray(S, wd, o1 + c).fma(x1, s);
      s = FloatVector.fromArray(S, wd, o2 + c).fma(x2, s);
      s = FloatVector.fromArray(S, wd, o3 + c).fma(x3, s);
      s.intoArray(acc, c);
    }
    for (; c < dIn; c++) {
      float s = acc[c];
      s += v0 * wd[o0 + c];
      s += v1 * wd[o1 + c];
      s += v2 * wd[o2 + c];
      s += v3 * wd[o3 + c];
      acc[c] = s;
    }
  }

  private void axpy1(float[] acc, int o0, float v0) {
    float[] wd = w.wDec;
    FloatVector x0 = FloatVector.broadcast(S, v0);
    int c = 0;
    for (int bound = S.loopBound(dIn); c < bound; c += L) {
      FloatVector.fromArray(S, wd, o0 + c).fma(x0, FloatVector.fromArray(S, acc, c)).intoArray(acc, c);
    }
    for (; c < dIn; c++) {
      acc[c] += v0 * wd[o0 + c];
    }
  }

  @Override
  public void addDecoderRows(float[] out, int offset, int[] latentIds, float[] coefficients, int count) {
    float[] acc = new float[dIn];
    int i = 0;
    for (; i + 4 <= count; i += 4) {
      axpy4(acc, latentIds[i] * dIn, coefficients[i], latentIds[i + 1] * dIn, coefficients[i + 1],
          latentIds[i + 2] * dIn, coefficients[i + 2], latentIds[i + 3] * dIn, coefficients[i + 3]);
    }
    for (; i < count; i++) {
      axpy1(acc, latentIds[i] * dIn, coefficients[i]);
    }
    int c = 0;
    for (int bound = S.loopBound(dIn); c < bound; c += L) {
      FloatVector.fromArray(S, out, offset + c).add(FloatVector.fromArray(S, acc, c)).intoArray(out, offset + c);
    }
    for (; c < dIn; c++) {
      out[offset + c] += acc[c];
    }
  }

  @Override
  public String toString() {
    return name();
  }
}
