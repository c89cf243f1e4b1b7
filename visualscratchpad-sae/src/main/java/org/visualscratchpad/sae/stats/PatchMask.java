package org.visualscratchpad.sae.stats;

import java.util.Arrays;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/**
 * One latent's activation on each token of one image, stored sparsely: the tokens where it fired
 * and its values there. Tokens are numbered over the image's crops in order ({@code crop *
 * tokensPerCrop + row}; row 0 of each crop is CLS), {@code tokenCount} in all.
 *
 * <pre>{@code
 * jshell> var mask = PatchMask.of(577, new int[] {1, 2}, new float[] {0.5f, 1.25f})
 * mask ==> PatchMask[577 tokens, 2 active, max 1.25 at token 2]
 * jshell> mask.toDense()[2]
 * $2 ==> 1.25
 * }</pre>
 *
 * <p>Immutable: factories copy their input and accessors copy their output.
 */
public final class PatchMask {
  private final int tokenCount;
  private final int[] tokens;
  private final float[] values;

  private PatchMask(int tokenCount, int[] tokens, float[] values) {
    this.tokenCount = tokenCount;
    this.tokens = tokens;
    this.values = values;
  }

  /**
   * A mask over {@code tokenCount} tokens with {@code values[i]} at {@code tokens[i]} (ascending,
   * in range).
   *
   * @throws InvalidInputException if lengths differ or tokens are not ascending within range
   */
  public static PatchMask of(int tokenCount, int[] tokens, float[] values) {
    return adopt(tokenCount, tokens.clone(), values.clone());
  }

  static PatchMask adopt(int tokenCount, int[] tokens, float[] values) {
    InvalidInputException.check(tokens.length == values.length,
        "mask tokens (%s) and values (%s) must have the same length", tokens.length, values.length);
    int prev = -1;
    for (int t : tokens) {
      InvalidInputException.check(t > prev && t < tokenCount,
          "mask tokens must ascend within [0, %s); found %s after %s", tokenCount, t, prev);
      prev = t;
    }
    return new PatchMask(tokenCount, tokens, values);
  }

  /** Tokens of the image (all crops, CLS rows included). */
  public int tokenCount() {
    return tokenCount;
  }

  /** Number of tokens where the latent fired. */
  public int activeCount() {
    return tokens.length;
  }

  /** The tokens where the latent fired, ascending (a copy). */
  public int[] tokens() {
    return tokens.clone();
  }

  /** The activations at {@link #tokens()} (a copy). */
  public float[] values() {
    return values.clone();
  }

  /** The dense mask, length {@link #tokenCount()}, zero where the latent did not fire. */
  public float[] toDense() {
    float[] d = new float[tokenCount];
    for (int i = 0; i < tokens.length; i++) {
      d[tokens[i]] = values[i];
    }
    return d;
  }

  int tokenAt(int i) {
    return tokens[i];
  }

  float valueAt(int i) {
    return values[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PatchMask m && m.tokenCount == tokenCount && Arrays.equals(m.tokens, tokens)
        && Arrays.equals(m.values, values);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * tokenCount + Arrays.hashCode(tokens)) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    int best = -1;
    for (int i = 0; i < values.length; i++) {
      if (best < 0 || values[i] > values[best]) {
        best = i;
      }
    }
    return String.format(Locale.ROOT, "PatchMask[%d tokens, %d active%s]", tokenCount, tokens.length,
        best < 0 ? "" : String.format(Locale.ROOT, ", max %s at token %d", values[best], tokens[best]));
  }
}
