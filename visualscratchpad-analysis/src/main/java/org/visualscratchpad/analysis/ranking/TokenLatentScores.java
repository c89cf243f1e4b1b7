package org.visualscratchpad.analysis.ranking;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Attention-weighted latent scores of a run's tokens: {@code scores} is {@code [tokens x dSae]},
 * row {@code t} = {@code h_patches^T attn_t} (made by {@link AttentionScorer#scores}).
 *
 * <pre>{@code
 * jshell> var s = new AttentionScorer(patches, attention, AttentionWeighting.RAW).scores(tokens);
 * jshell> s.row(0).topK(5);                         // the strongest latents of token 0
 * jshell> s.span(0, s.tokens().size(), SpanAggregation.MEAN).ranking();
 * }</pre>
 *
 * @param tokens the token strings, one per row
 * @param scores {@code [tokens x dSae]}
 * @param weighting how the attention was applied
 */
public record TokenLatentScores(List<String> tokens, FloatMatrix scores, AttentionWeighting weighting) {
  public TokenLatentScores {
    tokens = List.copyOf(tokens);
    InvalidInputException.check(tokens.size() == scores.rows(),
        "tokens (%s) must match the score rows (%s)", tokens.size(), scores.rows());
  }

  /** Number of latents. */
  public int dSae() {
    return scores.cols();
  }

  /** The scores of one token. */
  public LatentScoreVector row(int tokenIndex) {
    InvalidInputException.check(tokenIndex >= 0 && tokenIndex < tokens.size(),
        "tokenIndex (%s) must lie in [0, %s)", tokenIndex, tokens.size());
    return LatentScoreVector.adopt(scores.row(tokenIndex));
  }

  /**
   * The scores of tokens {@code [from, to)} combined by {@code aggregation}.
   *
   * @throws InvalidInputException if the span is empty or out of range
   */
  public LatentScoreVector span(int from, int to, SpanAggregation aggregation) {
    InvalidInputException.check(0 <= from && to <= tokens.size(),
        "token span [%s, %s) must lie within [0, %s)", from, to, tokens.size());
    InvalidInputException.check(from < to,
        "token span [%s, %s) is empty; give at least one token (to > from)", from, to);
    int d = scores.cols();
    double[] acc = new double[d];
    if (aggregation == SpanAggregation.MAX) {
      java.util.Arrays.fill(acc, Double.NEGATIVE_INFINITY);
    }
    float[] row = new float[d];
    for (int t = from; t < to; t++) {
      scores.copyRowInto(t, row, 0);
      for (int j = 0; j < d; j++) {
        acc[j] = aggregation == SpanAggregation.MAX ? Math.max(acc[j], row[j]) : acc[j] + row[j];
      }
    }
    float[] out = new float[d];
    for (int j = 0; j < d; j++) {
      out[j] = (float) (aggregation == SpanAggregation.MEAN ? acc[j] / (to - from) : acc[j]);
    }
    return LatentScoreVector.adopt(out);
  }

  @Override
  public String toString() {
    return "TokenLatentScores[" + tokens.size() + " tokens x " + scores.cols() + " latents, " + weighting
        + (tokens.isEmpty() ? "]" : ", token 0 '" + tokens.get(0) + "' top " + row(0).topK(3) + "]");
  }
}
