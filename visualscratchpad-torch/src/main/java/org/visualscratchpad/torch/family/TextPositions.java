package org.visualscratchpad.torch.family;

import java.util.Arrays;
import org.visualscratchpad.InvalidInputException;

/**
 * How the language model numbers the positions of a batch of prompts: {@code ids[r][b][s]}, one row for the
 * standard RoPE ({@code position_ids}), three for Qwen2-VL's M-RoPE; and {@code delta[b]}, the offset of a
 * generated token's position from its place in the KV cache: the token at cache position {@code c} of row
 * {@code b} gets position {@code c + delta[b]} in every row. For plain prompts {@code delta} is 0, minus the
 * left padding of the row; M-RoPE's {@code rope_deltas} are the same idea.
 *
 * @param ids {@code [rows][B][S]} position ids
 * @param delta {@code [B]}
 */
public record TextPositions(long[][][] ids, long[] delta) {
  public TextPositions {
    InvalidInputException.check(ids.length > 0 && ids[0].length == delta.length,
        "position ids must have at least one row and one delta per batch row");
  }

  /**
   * {@code cumsum(mask) - 1} with padding set to 1, the rule Hugging Face's {@code generate()} uses, in one row;
   * the next token of row {@code b} continues after its last real position.
   */
  public static TextPositions fromMask(int[][] mask) {
    long[][] pos = new long[mask.length][];
    long[] delta = new long[mask.length];
    for (int i = 0; i < mask.length; i++) {
      pos[i] = new long[mask[i].length];
      long c = 0;
      for (int t = 0; t < mask[i].length; t++) {
        c += mask[i][t];
        pos[i][t] = mask[i][t] == 0 ? 1 : c - 1;
      }
      delta[i] = c - mask[i].length;
    }
    return new TextPositions(new long[][][] {pos}, delta);
  }

  /** Explicit one-row positions; the next token of each row continues after the row's last position. */
  public static TextPositions of(long[][] positions) {
    long[] delta = new long[positions.length];
    for (int i = 0; i < positions.length; i++) {
      int s = positions[i].length;
      delta[i] = s == 0 ? 0 : positions[i][s - 1] + 1 - s;
    }
    return new TextPositions(new long[][][] {positions}, delta);
  }

  /** Rows of position ids. */
  public int rows() {
    return ids.length;
  }

  /** Columns {@code [from, to)} of every row. */
  public long[][][] columns(int from, int to) {
    long[][][] out = new long[ids.length][ids[0].length][];
    for (int r = 0; r < ids.length; r++) {
      for (int b = 0; b < ids[r].length; b++) {
        out[r][b] = Arrays.copyOfRange(ids[r][b], from, to);
      }
    }
    return out;
  }

  /** The positions of one new token per batch row at KV-cache position {@code cachePosition}, {@code [rows][B][1]}. */
  public long[][][] step(long cachePosition) {
    long[][][] out = new long[ids.length][delta.length][1];
    for (int r = 0; r < ids.length; r++) {
      for (int b = 0; b < delta.length; b++) {
        out[r][b][0] = cachePosition + delta[b];
      }
    }
    return out;
  }
}
