package org.visualscratchpad.analysis.ranking;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The fast path of {@link LatentRanking}: the top-{@code k} latents of every token by
 * attention-weighted score, fused into one pass over the latent-major index so that the
 * {@code [tokens x dSae]} score matrix is never stored. For each latent {@code j} the kernel
 * accumulates {@code s[:, j] = sum_k h[k, j] * attn[:, k]} (a {@code tokens}-long vector that stays
 * in L1), then offers it to per-token min-heaps. Cost {@code O(nnz x tokens)} multiply-adds in
 * contiguous, auto-vectorised loops.
 *
 * <pre>{@code
 * jshell> var top = AttentionWeightedTopK.compute(patches, attn, AttentionWeighting.RAW, 20, new BitSet());
 * jshell> top.get(0)      // token 0's best 20 latents, best first
 * }</pre>
 *
 * <p>Stateless and thread-safe. Equal to {@code LatentRanking.scores(...).row(t).topK(k)} up to float
 * rounding (tested).
 */
public final class AttentionWeightedTopK {
  private AttentionWeightedTopK() {}

  /**
   * Per token, the {@code k} latents with the highest score above 0, best first (ties: lower id
   * first); latents set in {@code excluded} are skipped. A token with fewer than {@code k} active
   * latents gets fewer.
   *
   * @param attention {@code [tokens x imageTokens]}
   * @return one list per attention row
   * @throws InvalidInputException if {@code k < 1} or the attention is invalid (see {@link LatentRanking#scores})
   */
  public static List<List<RankedLatent>> compute(PatchActivations patches, FloatMatrix attention,
      AttentionWeighting weighting, int k, BitSet excluded) {
    InvalidInputException.check(k >= 1, "k (%s) must be >= 1", k);
    LatentRanking.checkAttention(patches, attention);
    int tokens = attention.rows();
    int d = patches.dSae();
    float[] attnT = transposed(patches, attention, weighting);
    int[] colPtr = patches.colPtr();
    int[] colToken = patches.colToken();
    float[] colValue = patches.colValue();
    float[] heapScore = new float[tokens * k];
    int[] heapId = new int[tokens * k];
    int[] heapSize = new int[tokens];
    float[] threshold = new float[tokens]; // a candidate must beat this: 0 until the heap is full
    float[] acc = new float[tokens];
    for (int j = 0; j < d; j++) {
      int start = colPtr[j];
      int end = colPtr[j + 1];
      if (start == end || excluded.get(j)) {
        continue;
      }
      java.util.Arrays.fill(acc, 0f);
      for (int e = start; e < end; e++) {
        float v = colValue[e];
        int base = colToken[e] * tokens;
        for (int t = 0; t < tokens; t++) {
          acc[t] += v * attnT[base + t];
        }
      }
      for (int t = 0; t < tokens; t++) {
        if (acc[t] > threshold[t]) {
          offer(heapScore, heapId, heapSize, threshold, t, k, acc[t], j);
        }
      }
    }
    List<List<RankedLatent>> out = new ArrayList<>(tokens);
    for (int t = 0; t < tokens; t++) {
      int size = heapSize[t];
      Integer[] order = new Integer[size];
      for (int i = 0; i < size; i++) {
        order[i] = t * k + i;
      }
      java.util.Arrays.sort(order, (a, b) -> heapScore[a] != heapScore[b]
          ? Float.compare(heapScore[b], heapScore[a]) : Integer.compare(heapId[a], heapId[b]));
      List<RankedLatent> list = new ArrayList<>(size);
      for (Integer i : order) {
        list.add(new RankedLatent(heapId[i], heapScore[i]));
      }
      out.add(List.copyOf(list));
    }
    return List.copyOf(out);
  }

  /**
   * The attention-weighted scores of the given latents only: {@code [tokens x latentIds.length]},
   * column {@code c} = latent {@code latentIds[c]}. Same kernel as {@link #compute}.
   *
   * @throws InvalidInputException if a latent id is out of range or the attention is invalid
   */
  public static FloatMatrix scoresOf(PatchActivations patches, FloatMatrix attention, AttentionWeighting weighting,
      int[] latentIds) {
    LatentRanking.checkAttention(patches, attention);
    int tokens = attention.rows();
    float[] attnT = transposed(patches, attention, weighting);
    int[] colPtr = patches.colPtr();
    int[] colToken = patches.colToken();
    float[] colValue = patches.colValue();
    float[] out = new float[Math.multiplyExact(tokens, latentIds.length)];
    float[] acc = new float[tokens];
    for (int c = 0; c < latentIds.length; c++) {
      int j = latentIds[c];
      InvalidInputException.check(j >= 0 && j < patches.dSae(), "latentId (%s) must lie in [0, dSae = %s)", j, patches.dSae());
      java.util.Arrays.fill(acc, 0f);
      for (int e = colPtr[j]; e < colPtr[j + 1]; e++) {
        float v = colValue[e];
        int base = colToken[e] * tokens;
        for (int t = 0; t < tokens; t++) {
          acc[t] += v * attnT[base + t];
        }
      }
      for (int t = 0; t < tokens; t++) {
        out[t * latentIds.length + c] = acc[t];
      }
    }
    return FloatMatrix.adopt(tokens, latentIds.length, out);
  }

  /** attnT [imageTokens x tokens] (optionally divided by each token's image mass). */
  private static float[] transposed(PatchActivations patches, FloatMatrix attention, AttentionWeighting weighting) {
    int tokens = attention.rows();
    int n = patches.imageTokens();
    float[] attnT = new float[Math.multiplyExact(n, tokens)];
    float[] row = new float[n];
    for (int t = 0; t < tokens; t++) {
      attention.copyRowInto(t, row, 0);
      double mass = 0;
      for (int p = 0; p < n; p++) {
        mass += row[p];
      }
      float scale = weighting == AttentionWeighting.PER_IMAGE_MASS ? (mass > 0 ? (float) (1.0 / mass) : 0f) : 1f;
      for (int p = 0; p < n; p++) {
        attnT[p * tokens + t] = row[p] * scale;
      }
    }
    return attnT;
  }

  // min-heap per token over (score asc, id desc): the root is the weakest, so the latest (higher) id
  // loses a tie and the result matches a stable descending sort.
  private static void offer(float[] hs, int[] hi, int[] size, float[] threshold, int t, int k, float s, int id) {
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
