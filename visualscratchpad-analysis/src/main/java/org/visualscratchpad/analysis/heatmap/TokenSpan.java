package org.visualscratchpad.analysis.heatmap;

import org.visualscratchpad.InvalidInputException;

/**
 * The tokens {@code [from, to)} (attention rows) a heatmap covers.
 *
 * <pre>{@code
 * jshell> new TokenSpan(47, 55)     // the generated tokens of a 47-token prompt
 * }</pre>
 *
 * @param from first token, {@code >= 0}
 * @param to one past the last token, {@code > from}
 */
public record TokenSpan(int from, int to) {
  public TokenSpan {
    InvalidInputException.check(from >= 0, "token span start (%s) must be >= 0", from);
    InvalidInputException.check(to > from, "token span [%s, %s) is empty; a heatmap needs at least one token (to > from)", from, to);
  }

  /** All {@code tokens} rows. */
  public static TokenSpan all(int tokens) {
    return new TokenSpan(0, tokens);
  }

  public int size() {
    return to - from;
  }

  @Override
  public String toString() {
    return "[" + from + ", " + to + ")";
  }
}
