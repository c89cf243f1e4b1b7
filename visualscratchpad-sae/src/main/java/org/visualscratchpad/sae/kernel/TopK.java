package org.visualscratchpad.sae.kernel;

import java.util.Arrays;

/** Keeps the k largest entries of one sparse row (ids ascending in and out): SAELens' TopK after its ReLU. */
final class TopK {
  private TopK() {}

  /**
   * Compacts {@code ids/values[0..count)} in place to the {@code k} largest values (ties broken
   * towards the lower latent id) and returns the new count. Ids stay ascending.
   */
  static int keepLargest(int[] ids, float[] values, int count, int k) {
    if (count <= k) {
      return count;
    }
    float[] sorted = Arrays.copyOf(values, count);
    Arrays.sort(sorted);
    float kth = sorted[count - k];
    int above = 0;
    for (int i = 0; i < count; i++) {
      if (values[i] > kth) {
        above++;
      }
    }
    int tiesAllowed = k - above;
    int n = 0;
    for (int i = 0; i < count; i++) {
      float v = values[i];
      if (v > kth || (v == kth && tiesAllowed-- > 0)) {
        ids[n] = ids[i];
        values[n++] = v;
      }
    }
    return n;
  }
}
