package org.visualscratchpad.analysis.ranking;

import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The score {@code s_t = sum_k attn_t[k] * h[k]} written from its definition, token-major and in
 * double precision: the control the production scorer ({@link AttentionScorer}) is tested against.
 */
final class ReferenceScores {
  private ReferenceScores() {}

  /** {@code [tokens x dSae]}; per image mass divides each row by its attention mass (0 when the mass is 0). */
  static FloatMatrix scores(PatchActivations patches, FloatMatrix attention, AttentionWeighting weighting) {
    int tokenCount = attention.rows();
    int n = patches.imageTokens();
    int d = patches.dSae();
    float[] out = new float[tokenCount * d];
    float[] attnRow = new float[n];
    double[] acc = new double[d];
    for (int t = 0; t < tokenCount; t++) {
      attention.copyRowInto(t, attnRow, 0);
      java.util.Arrays.fill(acc, 0);
      double mass = 0;
      for (int k = 0; k < n; k++) {
        mass += attnRow[k];
        for (int i = patches.tokenStart(k); i < patches.tokenEnd(k); i++) {
          acc[patches.tokenEntryLatent(i)] += (double) attnRow[k] * patches.tokenEntryValue(i);
        }
      }
      double scale = weighting == AttentionWeighting.PER_IMAGE_MASS ? (mass > 0 ? 1.0 / mass : 0.0) : 1.0;
      for (int j = 0; j < d; j++) {
        out[t * d + j] = (float) (acc[j] * scale);
      }
    }
    return FloatMatrix.adopt(tokenCount, d, out);
  }

  /** The unweighted mean over image tokens, length {@code dSae}. */
  static float[] meanOverPatches(PatchActivations patches) {
    double[] acc = new double[patches.dSae()];
    for (int i = 0; i < patches.nnz(); i++) {
      acc[patches.tokenEntryLatent(i)] += patches.tokenEntryValue(i);
    }
    float[] out = new float[acc.length];
    for (int j = 0; j < out.length; j++) {
      out[j] = (float) (acc[j] / patches.imageTokens());
    }
    return out;
  }
}
