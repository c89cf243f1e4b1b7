package org.visualscratchpad.torch.input.prompt;

import java.util.Arrays;
import org.visualscratchpad.InvalidInputException;

/**
 * An immutable sequence of token ids ({@code input_ids} of one prompt).
 *
 * <pre>{@code
 * jshell> TokenIds.of(1, 3, 3, 7)
 * $1 ==> TokenIds[4] [1, 3, 3, 7]
 * }</pre>
 */
public final class TokenIds {
  private final long[] ids;

  private TokenIds(long[] ids) {
    this.ids = ids;
  }

  /** A copy of {@code ids}. */
  public static TokenIds of(long... ids) {
    for (long id : ids) {
      InvalidInputException.check(id >= 0, "token id (%s) must not be negative", id);
    }
    return new TokenIds(ids.clone());
  }

  static TokenIds adopt(long[] ids) {
    return new TokenIds(ids);
  }

  /** Number of tokens. */
  public int length() {
    return ids.length;
  }

  /** The id at {@code tokenIndex}. */
  public long get(int tokenIndex) {
    return ids[tokenIndex];
  }

  /** A copy of the ids. */
  public long[] toArray() {
    return ids.clone();
  }

  /** How many times {@code id} occurs. */
  public int count(long id) {
    int n = 0;
    for (long v : ids) {
      n += v == id ? 1 : 0;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenIds t && Arrays.equals(t.ids, ids);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ids);
  }

  /** The length and the first 16 ids. */
  @Override
  public String toString() {
    int shown = Math.min(ids.length, 16);
    StringBuilder sb = new StringBuilder("TokenIds[").append(ids.length).append("] [");
    for (int k = 0; k < shown; k++) {
      sb.append(k == 0 ? "" : ", ").append(ids[k]);
    }
    return sb.append(ids.length > shown ? ", ...]" : "]").toString();
  }
}
