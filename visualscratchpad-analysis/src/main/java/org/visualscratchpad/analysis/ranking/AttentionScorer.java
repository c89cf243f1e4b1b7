package org.visualscratchpad.analysis.ranking;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The one implementation of the paper's score {@code s_t = h_patches^T attn_t = sum_k attn_t[k] *
 * h[k]} (Fig. 2): the ranking, the token-latent heatmap and the plain mean over patches all read it.
 * The attention is validated and laid out in token blocks once; then it is queried for the
 * top-{@code k} per token ({@link #topK}), the scores of chosen latents ({@link #scoresOf}) or of all
 * ({@link #scores}). The score kernel walks the latent-major index of {@link PatchActivations}: per
 * latent, {@code s[block] += h[k, j] * attn[block, k]} over its active image tokens, with the Vector
 * API when {@code jdk.incubator.vector} is enabled (a scalar kernel, the reference, otherwise). The
 * {@code [tokens x dSae]} score matrix is only built when {@link #scores} asks for it.
 *
 * <pre>{@code
 * jshell> var scorer = new AttentionScorer(patches, attn, AttentionWeighting.RAW);   // attn [tokens x imageTokens]
 * jshell> scorer.topK(20, new BitSet()).get(0)                                        // token 0's best 20
 * jshell> AttentionScorer.meanOverPatches(patches).topK(5)                           // Fig. 2B's baseline
 * }</pre>
 *
 * <p>Immutable after construction and thread-safe.
 */
public final class AttentionScorer {
  private final PatchActivations patches;
  private final AttentionWeighting weighting;
  private final int tokens;
  private final ScoreKernel kernel;
  private final int width;
  private final float[][] blocks;

  /**
   * Validates the attention and lays it out in blocks.
   *
   * @param attention {@code [tokens x imageTokens]}, finite and {@code >= 0}, as captured (not renormalised)
   * @param weighting {@link AttentionWeighting#RAW} or per image mass (a row with zero image mass then
   *     scores 0 everywhere)
   * @throws InvalidInputException if the attention does not match the image or holds NaN/negative values
   */
  public AttentionScorer(PatchActivations patches, FloatMatrix attention, AttentionWeighting weighting) {
    this(patches, attention, weighting, ScoreKernel.best());
  }

  AttentionScorer(PatchActivations patches, FloatMatrix attention, AttentionWeighting weighting, ScoreKernel kernel) {
    checkAttention(patches, attention);
    this.patches = patches;
    this.weighting = weighting;
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

  /**
   * The unweighted mean activation over all image tokens (paper Fig. 2B's baseline): the score
   * under a uniform attention of {@code 1 / imageTokens}, length {@code dSae}.
   */
  public static LatentScoreVector meanOverPatches(PatchActivations patches) {
    return LatentScoreVector.adopt(uniform(patches, 1).scoresOf(allLatents(patches.dSae())).row(0));
  }

  /** A scorer of {@code tokens} rows that all attend uniformly ({@code 1 / imageTokens}) to the image. */
  public static AttentionScorer uniform(PatchActivations patches, int tokens) {
    int n = patches.imageTokens();
    float[] uniform = new float[Math.multiplyExact(tokens, n)];
    Arrays.fill(uniform, 1f / n);
    return new AttentionScorer(patches, FloatMatrix.adopt(tokens, n, uniform), AttentionWeighting.RAW);
  }

  /** Number of tokens (attention rows). */
  public int tokens() {
    return tokens;
  }

  /** Number of latents. */
  public int dSae() {
    return patches.dSae();
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
    return topKSplit(k, excluded).kept();
  }

  /**
   * The top-{@code k} of every token twice in one pass: among the latents not in {@code excluded}
   * ({@link Split#kept()}, as {@link #topK}) and among the excluded ones ({@link Split#excluded()}).
   * Merging the two lists of a token and keeping its best {@code k} gives its top-{@code k} without
   * exclusion: which excluded latents a filter removed is known without scoring twice.
   *
   * @throws InvalidInputException if {@code k < 1}
   */
  public Split topKSplit(int k, BitSet excluded) {
    InvalidInputException.check(k >= 1, "k (%s) must be >= 1", k);
    int d = patches.dSae();
    int[] colPtr = patches.colPtr();
    int[] colToken = patches.colToken();
    float[] colValue = patches.colValue();
    Heaps kept = new Heaps(tokens, k, blocks.length * width);
    Heaps dropped = excluded.isEmpty() ? null : new Heaps(tokens, k, blocks.length * width);
    float[] lane = new float[width];
    for (int b = 0; b < blocks.length; b++) {
      int t0 = b * width;
      float[] block = blocks[b];
      for (int j = 0; j < d; j++) {
        int start = colPtr[j];
        int end = colPtr[j + 1];
        if (start == end) {
          continue;
        }
        Heaps heaps = dropped != null && excluded.get(j) ? dropped : kept;
        if (kernel.latent(start, end, colToken, colValue, block, lane, heaps.threshold, t0)) {
          for (int w = 0; w < width; w++) {
            if (lane[w] > heaps.threshold[t0 + w]) {
              TopKHeaps.offer(heaps.score, heaps.id, heaps.size, heaps.threshold, t0 + w, k, lane[w], j);
            }
          }
        }
      }
    }
    return new Split(kept.sorted(tokens, k), dropped == null ? emptyLists(tokens) : dropped.sorted(tokens, k));
  }

  /**
   * Per token, its top-{@code k} among kept and excluded latents together (see {@link #topKSplit}).
   *
   * @param kept a token's best non-excluded latents, best first
   * @param excluded its best excluded latents, best first
   */
  public record Split(List<List<RankedLatent>> kept, List<List<RankedLatent>> excluded) {
    public Split {
      kept = List.copyOf(kept);
      excluded = List.copyOf(excluded);
    }

    /** Token {@code tokenIndex}'s best {@code k} of both lists (ties: lower id first). */
    public List<RankedLatent> merged(int tokenIndex, int k) {
      List<RankedLatent> all = new ArrayList<>(kept.get(tokenIndex));
      all.addAll(excluded.get(tokenIndex));
      all.sort((a, b) -> a.score() != b.score() ? Float.compare(b.score(), a.score())
          : Integer.compare(a.latentId(), b.latentId()));
      return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }
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
    Arrays.fill(never, Float.POSITIVE_INFINITY);
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

  /**
   * Every latent's score on every token: {@code [tokens x dSae]} (dense; for span aggregates and
   * parity checks).
   *
   * @param tokenTexts one string per attention row
   * @throws InvalidInputException if {@code tokenTexts} does not have one entry per row
   */
  public TokenLatentScores scores(List<String> tokenTexts) {
    InvalidInputException.check(tokenTexts.size() == tokens,
        "tokens (%s) must match the attention rows (%s)", tokenTexts.size(), tokens);
    return new TokenLatentScores(tokenTexts, scoresOf(allLatents(patches.dSae())), weighting);
  }

  private static int[] allLatents(int dSae) {
    int[] all = new int[dSae];
    for (int j = 0; j < dSae; j++) {
      all[j] = j;
    }
    return all;
  }

  private static List<List<RankedLatent>> emptyLists(int tokens) {
    List<List<RankedLatent>> out = new ArrayList<>(tokens);
    for (int t = 0; t < tokens; t++) {
      out.add(List.of());
    }
    return out;
  }

  static void checkAttention(PatchActivations patches, FloatMatrix attention) {
    InvalidInputException.check(attention.cols() == patches.imageTokens(),
        "attention has %s columns but the image has %s image tokens; pass attention [tokens x imageTokens] sliced at the image token positions",
        attention.cols(), patches.imageTokens());
    float[] row = new float[attention.cols()];
    for (int t = 0; t < attention.rows(); t++) {
      attention.copyRowInto(t, row, 0);
      for (int k = 0; k < row.length; k++) {
        float a = row[k];
        if (!(a >= 0f) || a == Float.POSITIVE_INFINITY) {
          throw new InvalidInputException(String.format(
              "attention[%d, %d] (%s) must be finite and >= 0; attention probabilities are softmax outputs. Check the attention capture",
              t, k, a));
        }
      }
    }
  }

  /** One fixed-size min-heap per token, in flat arrays, with the score a candidate must beat. */
  private static final class Heaps {
    final float[] score;
    final int[] id;
    final int[] size;
    // a candidate must beat this: 0 until the heap is full; padding lanes never qualify
    final float[] threshold;

    Heaps(int tokens, int k, int lanes) {
      score = new float[tokens * k];
      id = new int[tokens * k];
      size = new int[tokens];
      threshold = new float[lanes];
      Arrays.fill(threshold, tokens, lanes, Float.POSITIVE_INFINITY);
    }

    List<List<RankedLatent>> sorted(int tokens, int k) {
      List<List<RankedLatent>> out = new ArrayList<>(tokens);
      for (int t = 0; t < tokens; t++) {
        out.add(TopKHeaps.sorted(score, id, t * k, size[t]));
      }
      return out;
    }
  }

  @Override
  public String toString() {
    return "AttentionScorer[" + tokens + " tokens x " + patches + ", " + kernel.getClass().getSimpleName() + "]";
  }
}
