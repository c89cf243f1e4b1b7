package org.visualscratchpad.torch.cpu;

/**
 * Eager multi-head (grouped-query) attention of one sequence on plain arrays, as Hugging Face's
 * {@code eager} implementation computes it: {@code softmax(scale * q k^T + mask) v}, masked scores set to
 * {@code -Float.MAX_VALUE} (a row masked everywhere becomes uniform). The probabilities of each block
 * of query rows exist only while that block is computed and are handed to an optional {@link Sink};
 * memory is {@code O(block x keys)} per thread, never {@code heads x queries x keys}.
 *
 * <p>Query blocks run on {@link CpuThreads}; within a block the heads run in order, so a sink that
 * accumulates per query row is deterministic.
 */
public final class CpuAttention {
  /** Query rows per task. */
  static final int BLOCK = 32;

  private CpuAttention() {}

  /** A per-thread buffer that grows to the largest block seen (blocks are at most {@link #BLOCK} x keys). */
  private static final class Floats {
    private float[] a = new float[0];

    float[] get(int n) {
      if (a.length < n) {
        a = new float[n];
      }
      return a;
    }
  }

  private static final class Bools {
    private boolean[] a = new boolean[0];

    boolean[] get(int n) {
      if (a.length < n) {
        a = new boolean[n];
      }
      return a;
    }
  }

  private static final ThreadLocal<Floats> SCORES = ThreadLocal.withInitial(Floats::new);
  private static final ThreadLocal<Bools> ALLOWED = ThreadLocal.withInitial(Bools::new);

  /** Which keys a query may attend to. */
  public interface Mask {
    /** Fills {@code allowed[r * keys + k]} for query rows {@code q0 .. q0 + rows - 1}. */
    void fill(int q0, int rows, int keys, boolean[] allowed);
  }

  /** Receives attention probabilities as they are computed. */
  public interface Sink {
    /**
     * Probabilities of head {@code head} for query rows {@code q0 .. q0 + rows - 1}: {@code probs[r * keys
     * + k]}. Called from worker threads; for one row range the heads arrive in order.
     */
    void accept(int head, int q0, int rows, int keys, float[] probs);
  }

  /**
   * @param q {@code [queries, heads * hd]} rows from {@code qOff}
   * @param k {@code [keys, kvHeads * hd]} rows from {@code kOff}
   * @param v same layout as {@code k}, from {@code vOff}
   * @param out receives {@code [queries, heads * hd]} from {@code outOff}
   * @param mask null = every key allowed
   * @param sink null = probabilities not observed
   */
  public static void attend(int queries, int keys, int heads, int kvHeads, int hd, float scale, float[] q, int qOff,
      float[] k, int kOff, float[] v, int vOff, float[] out, int outOff, Mask mask, Sink sink) {
    int group = heads / kvHeads;
    int qStride = heads * hd;
    int kvStride = kvHeads * hd;
    int blocks = (queries + BLOCK - 1) / BLOCK;
    if (blocks == 1 && heads > 1 && CpuThreads.threads() > 1) {
      byHead(queries, keys, heads, group, hd, scale, q, qOff, k, kOff, v, vOff, out, outOff, mask, sink);
      return;
    }
    CpuThreads.parallelFor(blocks, blk -> {
      int q0 = blk * BLOCK;
      int rows = Math.min(BLOCK, queries - q0);
      float[] scores = SCORES.get().get(rows * keys);
      boolean[] allowed = null;
      if (mask != null) {
        allowed = ALLOWED.get().get(rows * keys);
        mask.fill(q0, rows, keys, allowed);
      }
      for (int h = 0; h < heads; h++) {
        int kvh = h / group;
        CpuOps.gemmABt(rows, keys, hd, scale, q, qOff + q0 * qStride + h * hd, qStride, k, kOff + kvh * hd, kvStride,
            scores, 0, keys);
        for (int r = 0; r < rows; r++) {
          if (allowed != null) {
            int base = r * keys;
            for (int j = 0; j < keys; j++) {
              if (!allowed[base + j]) {
                scores[base + j] = -Float.MAX_VALUE;
              }
            }
          }
          CpuOps.softmax(scores, r * keys, keys);
        }
        if (sink != null) {
          sink.accept(h, q0, rows, keys, scores);
        }
        CpuOps.gemmAB(rows, hd, keys, scores, 0, keys, v, vOff + kvh * hd, kvStride, out, outOff + q0 * qStride + h * hd,
            qStride);
      }
    });
  }

  /**
   * A single block of queries (a decode step): the heads run on all threads, each into its own slice of
   * one probability buffer, and the sink then sees them in head order, so the result does not depend on
   * which thread ran which head. A long context (2,939 keys) decoded on one thread before.
   */
  private static void byHead(int rows, int keys, int heads, int group, int hd, float scale, float[] q, int qOff,
      float[] k, int kOff, float[] v, int vOff, float[] out, int outOff, Mask mask, Sink sink) {
    int qStride = heads * hd;
    int kvStride = (heads / group) * hd;
    boolean[] allowed = null;
    if (mask != null) {
      allowed = new boolean[rows * keys];
      mask.fill(0, rows, keys, allowed);
    }
    final boolean[] allow = allowed;
    float[] probs = new float[heads * rows * keys];
    CpuThreads.parallelFor(heads, h -> {
      int kvh = h / group;
      int at = h * rows * keys;
      CpuOps.gemmABt(rows, keys, hd, scale, q, qOff + h * hd, qStride, k, kOff + kvh * hd, kvStride, probs, at, keys);
      for (int r = 0; r < rows; r++) {
        if (allow != null) {
          int base = r * keys;
          for (int j = 0; j < keys; j++) {
            if (!allow[base + j]) {
              probs[at + base + j] = -Float.MAX_VALUE;
            }
          }
        }
        CpuOps.softmax(probs, at + r * keys, keys);
      }
      CpuOps.gemmAB(rows, hd, keys, probs, at, keys, v, vOff + kvh * hd, kvStride, out, outOff + h * hd, qStride);
    });
    if (sink != null) {
      float[] one = new float[rows * keys];
      for (int h = 0; h < heads; h++) {
        System.arraycopy(probs, h * rows * keys, one, 0, rows * keys);
        sink.accept(h, 0, rows, keys, one);
      }
    }
  }
}
