package org.visualscratchpad.attention;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Attention from text tokens to image tokens, averaged over the tapped layers and heads, NOT
 * renormalised: each row sums to the share of attention that went to the image ({@link
 * #imageMass}).
 *
 * <pre>{@code
 * jshell> answer.attention().weights()
 * $1 ==> FloatMatrix[8 x 576] ...      // [tokens x imageTokens]
 * jshell> answer.attention().imageMass(0)
 * }</pre>
 *
 * @param convention which row each token got
 * @param tokens the text of each token (row labels)
 * @param positions each token's position in the sequence
 * @param weights {@code [tokens x imageTokens]}; column k is image token k (see {@code ImageTokenLocation})
 */
public record TextImageAttention(
    AttentionConvention convention, List<String> tokens, List<Integer> positions, FloatMatrix weights) {
  public TextImageAttention {
    tokens = List.copyOf(tokens);
    positions = List.copyOf(positions);
    InvalidInputException.check(tokens.size() == weights.rows() && positions.size() == weights.rows(),
        "tokens (%s) and positions (%s) must match the attention rows (%s)", tokens.size(), positions.size(), weights.rows());
  }

  /** The attention mass that row {@code row} puts on the image tokens. */
  public float imageMass(int row) {
    double sum = 0;
    for (int k = 0; k < weights.cols(); k++) {
      sum += weights.get(row, k);
    }
    return (float) sum;
  }
}
