package org.visualscratchpad.analysis.ranking;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Ranks SAE latents by where the language model looked (paper Fig. 2): per token {@code score =
 * h_patches^T attn_t = sum_k attn_t[k] * h[k]}, with the attention as captured (not renormalised)
 * or divided by the image mass; and the unweighted mean over patches (Fig. 2B). Works on the
 * sparse activations directly: {@code O(tokens x nnz)}, never a dense {@code [patches x dSae]}.
 *
 * <pre>{@code
 * jshell> var patches = PatchActivations.llava15(saeActs);             // [37 x 256] -> 36 image tokens
 * jshell> var s = LatentRanking.scores(patches, attn, tokens, AttentionWeighting.RAW);  // attn [8 x 36]
 * jshell> LatentRanking.meanOverPatches(patches).topK(5)
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class LatentRanking {
  private LatentRanking() {}

  /**
   * Attention-weighted scores of every token.
   *
   * @param patches the image's activations, by image token
   * @param attention {@code [tokens x imageTokens]}, finite and non-negative
   * @param tokens one string per attention row
   * @param weighting {@link AttentionWeighting#RAW} or per image mass (a row with zero image mass
   *     then scores 0 everywhere)
   * @return scores {@code [tokens x dSae]}
   * @throws InvalidInputException if the shapes disagree or an attention value is NaN, infinite or negative
   */
  public static TokenLatentScores scores(PatchActivations patches, FloatMatrix attention, List<String> tokens,
      AttentionWeighting weighting) {
    checkAttention(patches, attention);
    InvalidInputException.check(tokens.size() == attention.rows(),
        "tokens (%s) must match the attention rows (%s)", tokens.size(), attention.rows());
    int tokenCount = attention.rows();
    int n = patches.imageTokens();
    int d = patches.dSae();
    float[] out = new float[Math.multiplyExact(tokenCount, d)];
    float[] attnRow = new float[n];
    double[] acc = new double[d];
    for (int t = 0; t < tokenCount; t++) {
      attention.copyRowInto(t, attnRow, 0);
      java.util.Arrays.fill(acc, 0);
      double mass = 0;
      for (int k = 0; k < n; k++) {
        float a = attnRow[k];
        mass += a;
        if (a == 0f) {
          continue;
        }
        for (int i = patches.tokenStart(k); i < patches.tokenEnd(k); i++) {
          acc[patches.tokenEntryLatent(i)] += (double) a * patches.tokenEntryValue(i);
        }
      }
      double scale = weighting == AttentionWeighting.PER_IMAGE_MASS ? (mass > 0 ? 1.0 / mass : 0.0) : 1.0;
      for (int j = 0; j < d; j++) {
        out[t * d + j] = (float) (acc[j] * scale);
      }
    }
    return new TokenLatentScores(tokens, FloatMatrix.adopt(tokenCount, d, out), weighting);
  }

  /** The unweighted mean activation over all image tokens (paper Fig. 2B's baseline), length {@code dSae}. */
  public static LatentScoreVector meanOverPatches(PatchActivations patches) {
    int d = patches.dSae();
    double[] acc = new double[d];
    for (int i = 0; i < patches.nnz(); i++) {
      acc[patches.tokenEntryLatent(i)] += patches.tokenEntryValue(i);
    }
    float[] out = new float[d];
    for (int j = 0; j < d; j++) {
      out[j] = (float) (acc[j] / patches.imageTokens());
    }
    return LatentScoreVector.adopt(out);
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
}
