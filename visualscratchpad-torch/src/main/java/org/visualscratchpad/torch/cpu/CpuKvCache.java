package org.visualscratchpad.torch.cpu;

import java.util.Arrays;
import org.visualscratchpad.InvalidInputException;

/**
 * The decoder's key/value cache for one call on the CPU engine: per layer post-RoPE keys and values
 * {@code [batch][capacity][kvHeads * headDim]} in float32, sized to the request (prompt plus new tokens)
 * when it starts, plus which positions are real tokens (not left padding). Not thread-safe.
 */
public final class CpuKvCache {
  public final float[][] keys;
  public final float[][] values;
  final int batch;
  final int capacity;
  public final int width;
  private final boolean[][] valid;
  private int length;

  public CpuKvCache(int layers, int batch, int capacity, int width) {
    InvalidInputException.check((long) batch * capacity * width <= Integer.MAX_VALUE - 8,
        "a KV cache of %s positions x %s values per layer is too large for this engine", capacity, width);
    this.keys = new float[layers][batch * capacity * width];
    this.values = new float[layers][batch * capacity * width];
    this.batch = batch;
    this.capacity = capacity;
    this.width = width;
    this.valid = new boolean[batch][capacity];
  }

  /** Bytes a cache of this size holds. */
  public static long bytes(int layers, int batch, int capacity, int width) {
    return 2L * 4L * layers * batch * (long) capacity * width;
  }

  public int length() {
    return length;
  }

  boolean isValid(int row, int pos) {
    return valid[row][pos];
  }

  /** Appends {@code mask[b][s]} (1 = real) for {@code s} new positions. */
  public void append(int[][] mask) {
    int s = mask[0].length;
    InvalidInputException.check(length + s <= capacity,
        "the KV cache holds %s positions; %s more do not fit", capacity, s);
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < s; t++) {
        valid[b][length + t] = mask[b][t] != 0;
      }
    }
    length += s;
  }

  /** Copies the first {@code n} positions of every layer (batch row 0) into {@code into}, which must be empty. */
  public void copyPrefixTo(CpuKvCache into, int n) {
    for (int l = 0; l < keys.length; l++) {
      System.arraycopy(keys[l], 0, into.keys[l], 0, n * width);
      System.arraycopy(values[l], 0, into.values[l], 0, n * width);
    }
    int[][] ones = new int[1][n];
    Arrays.fill(ones[0], 1);
    into.append(ones);
  }
}
