package org.visualscratchpad.analysis.ranking;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Attention-weighted scoring of one image's latents for a set of tokens, prepared once (the
 * attention is validated and laid out in token blocks) and then queried: the top-{@code k} per token
 * ({@link #topK}) and the scores of chosen latents ({@link #scoresOf}). The score kernel walks the
 * latent-major index of {@link PatchActivations}: per latent, {@code s[block] += h[k, j] *
 * attn[block, k]} over its active image tokens, with the Vector API when {@code
 * jdk.incubator.vector} is enabled (a scalar kernel otherwise).
 *
 * <pre>{@code
 * jshell> var scorer = new AttentionScorer(patches, attn, AttentionWeighting.RAW);   // attn [tokens x imageTokens]
 * jshell> scorer.topK(20, new BitSet()).get(0)                                        // token 0's best 20
 * }</pre>
 *
 * <p>Immutable after construction and thread-safe.
 */
public final class AttentionScorer {
  private final PatchActivations patches;
  private final int tokens;
  private final ScoreKernel kernel;
  private final int width;
  private final float[][] blocks;

  /**
   * Validates the attention and lays it out in blocks.
   *
   * @param attention {@code [tokens x imageTokens]}, finite and {@code >= 0}
   * @throws InvalidInputException if the attention does not match the image or holds NaN/negative values
   */
  public AttentionScorer(PatchActivations patches, FloatMatrix attention, AttentionWeighting weighting) {
    this(patches, attention, weighting, ScoreKernel.best());
  }

  AttentionScorer(PatchActivations patches, FloatMatrix attention, AttentionWeighting weighting, ScoreKernel kernel) {
    LatentRanking.checkAttention(patches, attention);
    this.patches = patches;
    this.tokens = attention.rows();
    this.kernel = kernel;
    this.width = kernel.width();
    int n = patches.imageTokens();
    int count = Math.max(1, (tokens + width - 1) / width);
    blocks = new float[count][Math.multiplyExact(n, width)];
    float[] row = new float[n];
    for (int t = 0; t < tokens; t++) {
      attention.copyRowInto(t, row, 0);
      double mass = 0;
      for (int p = 0; p < n; p++) {
        mass += row[p];
      }
      float scale = weighting == AttentionWeighting.PER_IMAGE_MASS ? (mass > 0 ? (float) (1.0 / mass) : 0f) : 1f;
      float[] block = blocks[t / width];
      int w = t % width;
      for (int p = 0; p < n; p++) {
        block[p * width + w] = row[p] * scale;
      }
    }
  }

  /** Number of tokens (attention rows). */
  public int tokens() {
    return tokens;
  }

  /**
   * Per token, the {@code k} latents with the highest score above 0, best first (ties: lower id
   * first); latents set in {@code excluded} are skipped. A token with fewer than {@code k} active
   * latents gets fewer.
   *
   * @return one list per token
   * @throws InvalidInputException if {@code k < 1}
   */
  public List<List<RankedLatent>> topK(int k, BitSet excluded) {
    InvalidInputException.check(k >= 1, "k (%s) must be >= 1", k);
    int d = patches.dSae();
    int[] colPtr = patches.colPtr();
    int[] colToken = patches.colToken();
    float[] colValue = patches.colValue();
    float[] heapScore = new float[tokens * k];
    int[] heapId = new int[tokens * k];
    int[] heapSize = new int[tokens];
    // a candidate must beat this: 0 until the heap is full; padding lanes never qualify
    float[] threshold = new float[blocks.length * width];
    java.util.Arrays.fill(threshold, tokens, threshold.length, Float.POSITIVE_INFINITY);
    float[] lane = new float[width];
    for (int b = 0; b < blocks.length; b++) {
      int t0 = b * width;
      float[] block = blocks[b];
      for (int j = 0; j < d; j++) {
        int start = colPtr[j];
        int end = colPtr[j + 1];
        if (start == end || excluded.get(j)) {
          continue;
        }
        if (kernel.latent(start, end, colToken, colValue, block, lane, threshold, t0)) {
          for (int w = 0; w < width; w++) {
            if (lane[w] > threshold[t0 + w]) {
              TopKHeaps.offer(heapScore, heapId, heapSize, threshold, t0 + w, k, lane[w], j);
            }
          }
        }
      }
    }
    List<List<RankedLatent>> out = new ArrayList<>(tokens);
    for (int t = 0; t < tokens; t++) {
      out.add(TopKHeaps.sorted(heapScore, heapId, t * k, heapSize[t]));
    }
    return List.copyOf(out);
  }

  /**
   * The scores of the given latents: {@code [tokens x latentIds.length]}, column {@code c} =
   * latent {@code latentIds[c]}.
   *
   * @throws InvalidInputException if a latent id is out of range
   */
  public FloatMatrix scoresOf(int[] latentIds) {
    for (int j : latentIds) {
      InvalidInputException.check(j >= 0 && j < patches.dSae(), "latentId (%s) must lie in [0, dSae = %s)", j, patches.dSae());
    }
    int[] colPtr = patches.colPtr();
    int[] colToken = patches.colToken();
    float[] colValue = patches.colValue();
    float[] out = new float[Math.multiplyExact(tokens, latentIds.length)];
    float[] never = new float[blocks.length * width];
    java.util.Arrays.fill(never, Float.POSITIVE_INFINITY);
    float[] acc = new float[width];
    for (int b = 0; b < blocks.length; b++) {
      int t0 = b * width;
      int limit = Math.min(width, tokens - t0);
      for (int c = 0; c < latentIds.length; c++) {
        int j = latentIds[c];
        kernel.latent(colPtr[j], colPtr[j + 1], colToken, colValue, blocks[b], acc, never, t0);
        for (int w = 0; w < limit; w++) {
          out[(t0 + w) * latentIds.length + c] = acc[w];
        }
      }
    }
    return FloatMatrix.adopt(tokens, latentIds.length, out);
  }

  @Override
  public String toString() {
    return "AttentionScorer[" + tokens + " tokens x " + patches + ", " + kernel.getClass().getSimpleName() + "]";
  }
}
