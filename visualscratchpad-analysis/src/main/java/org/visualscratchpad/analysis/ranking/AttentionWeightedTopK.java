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
    return new AttentionScorer(patches, attention, weighting).topK(k, excluded);
  }

  /**
   * The attention-weighted scores of the given latents only: {@code [tokens x latentIds.length]}.
   *
   * @throws InvalidInputException if a latent id is out of range or the attention is invalid
   */
  public static FloatMatrix scoresOf(PatchActivations patches, FloatMatrix attention, AttentionWeighting weighting,
      int[] latentIds) {
    return new AttentionScorer(patches, attention, weighting).scoresOf(latentIds);
  }
}
