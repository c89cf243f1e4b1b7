package org.visualscratchpad.analysis.ranking;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.scratchpad.RankedLatent;

/** Fixed-size min-heaps of (score, latent id), one per token, in flat arrays. */
final class TopKHeaps {
  private TopKHeaps() {}

  /** The heap of one token as a list sorted best first (ties: lower id first). */
  static List<RankedLatent> sorted(float[] heapScore, int[] heapId, int base, int size) {
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = base + i;
    }
    java.util.Arrays.sort(order, (a, b) -> heapScore[a] != heapScore[b]
        ? Float.compare(heapScore[b], heapScore[a]) : Integer.compare(heapId[a], heapId[b]));
    List<RankedLatent> list = new ArrayList<>(size);
    for (Integer i : order) {
      list.add(new RankedLatent(heapId[i], heapScore[i]));
    }
    return List.copyOf(list);
  }

  // min-heap per token over (score asc, id desc): the root is the weakest, so the latest (higher) id
  // loses a tie and the result matches a stable descending sort.
  static void offer(float[] hs, int[] hi, int[] size, float[] threshold, int t, int k, float s, int id) {
    int base = t * k;
    int n = size[t];
    if (n < k) {
      int i = n;
      hs[base + i] = s;
      hi[base + i] = id;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (!weaker(hs[base + i], hi[base + i], hs[base + parent], hi[base + parent])) {
          break;
        }
        swap(hs, hi, base + i, base + parent);
        i = parent;
      }
      size[t] = n + 1;
      if (n + 1 == k) {
        threshold[t] = hs[base];
      }
      return;
    }
    // full: s > root score (strictly), replace the root and sift down
    hs[base] = s;
    hi[base] = id;
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      if (l >= k) {
        break;
      }
      int r = l + 1;
      int m = r < k && weaker(hs[base + r], hi[base + r], hs[base + l], hi[base + l]) ? r : l;
      if (!weaker(hs[base + m], hi[base + m], hs[base + i], hi[base + i])) {
        break;
      }
      swap(hs, hi, base + i, base + m);
      i = m;
    }
    threshold[t] = hs[base];
  }

  private static boolean weaker(float sa, int ia, float sb, int ib) {
    return sa < sb || (sa == sb && ia > ib);
  }

  private static void swap(float[] hs, int[] hi, int a, int b) {
    float s = hs[a];
    hs[a] = hs[b];
    hs[b] = s;
    int i = hi[a];
    hi[a] = hi[b];
    hi[b] = i;
  }
}
