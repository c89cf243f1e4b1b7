package org.visualscratchpad.analysis.embedding;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.visualscratchpad.sae.kernel.DotKernel;
import smile.math.distance.Distance;

/**
 * The exact {@code k} nearest neighbours of every row of a set of unit vectors, by Euclidean
 * distance ({@code sqrt(2 - 2 cos)}), the query itself excluded; ties go to the lower index.
 *
 * <p>Why it exists: Smile 3's UMAP finds neighbours by a linear search in double precision, one
 * distance at a time, which took tens of minutes for 32,768 decoder directions of width 1,024.
 * Here the dot products run through the SAE module's {@link DotKernel} (Vector API register tiles)
 * in blocks of 64 queries against 256 keys, the query blocks on every core. {@link #asDistance()}
 * then hands the result to Smile's UMAP.
 */
final class ExactNeighbours {
  private static final int KEY_TILE = 256;
  private static final int QUERY_BLOCK = 64;

  private final int[][] ids;
  private final double[][] distances;

  private ExactNeighbours(int[][] ids, double[][] distances) {
    this.ids = ids;
    this.distances = distances;
  }

  /**
   * Query blocks run as a parallel stream (the calling thread and the common pool); the result does
   * not depend on how many threads run them.
   *
   * @param flat {@code n} unit vectors of width {@code d}, row-major
   * @param k neighbours per row, {@code 1 <= k < n}
   */
  static ExactNeighbours of(float[] flat, int n, int d, int k) {
    if (k < 1 || k >= n) {
      throw new IllegalArgumentException("k (" + k + ") must be in [1, " + (n - 1) + "] for " + n + " rows");
    }
    if (flat.length < (long) n * d) {
      throw new IllegalArgumentException(n + " rows of width " + d + " need " + (long) n * d + " values; got " + flat.length);
    }
    DotKernel kernel = DotKernel.best();
    int[][] ids = new int[n][k];
    float[][] best = new float[n][k]; // ascending squared distance, ids alongside
    int blocks = (n + QUERY_BLOCK - 1) / QUERY_BLOCK;
    IntStream.range(0, blocks).parallel().forEach(b -> {
      int q0 = b * QUERY_BLOCK;
      int q1 = Math.min(n, q0 + QUERY_BLOCK);
      for (int q = q0; q < q1; q++) {
        Arrays.fill(best[q], Float.POSITIVE_INFINITY);
        Arrays.fill(ids[q], Integer.MAX_VALUE);
      }
      float[] dots = new float[QUERY_BLOCK * KEY_TILE];
      for (int j0 = 0; j0 < n; j0 += KEY_TILE) {
        int j1 = Math.min(n, j0 + KEY_TILE);
        kernel.dots(flat, q0, q1, flat, j0, j1, d, dots, KEY_TILE);
        for (int q = q0; q < q1; q++) {
          int o = (q - q0) * KEY_TILE;
          for (int j = j0; j < j1; j++) {
            if (j != q) {
              offer(best[q], ids[q], Math.max(0f, 2f - 2f * dots[o + j - j0]), j);
            }
          }
        }
      }
    });
    double[][] distances = new double[n][k];
    for (int q = 0; q < n; q++) {
      for (int t = 0; t < k; t++) {
        distances[q][t] = Math.sqrt(best[q][t]);
      }
    }
    return new ExactNeighbours(ids, distances);
  }

  /** Keeps the {@code k} smallest (squared distance, id) pairs, ascending; ids break ties. */
  private static void offer(float[] best, int[] ids, float dist, int id) {
    int k = best.length;
    if (dist > best[k - 1] || (dist == best[k - 1] && id > ids[k - 1])) {
      return;
    }
    int at = k - 1;
    while (at > 0 && (best[at - 1] > dist || (best[at - 1] == dist && ids[at - 1] > id))) {
      best[at] = best[at - 1];
      ids[at] = ids[at - 1];
      at--;
    }
    best[at] = dist;
    ids[at] = id;
  }

  /** The neighbours of row {@code q}, nearest first. */
  int[] neighbours(int q) {
    return ids[q].clone();
  }

  /** Their distances, ascending. */
  double[] distances(int q) {
    return distances[q].clone();
  }

  /**
   * A distance between row indices for Smile's UMAP ({@code UMAP.of(Integer[], Distance, k, ...)}):
   * the true distance from a row to each of its {@code k} neighbours, and {@link Double#MAX_VALUE}
   * to every other row. Smile's exact search of the {@code k} nearest then finds exactly these
   * neighbours (it calls {@code d(key, query)} and skips the query itself), at the cost of one
   * lookup per pair instead of one distance of full width.
   */
  Distance<Integer> asDistance() {
    return (key, query) -> {
      int[] nb = ids[query];
      int kk = key;
      for (int t = 0; t < nb.length; t++) {
        if (nb[t] == kk) {
          return distances[query][t];
        }
      }
      return Double.MAX_VALUE;
    };
  }
}
