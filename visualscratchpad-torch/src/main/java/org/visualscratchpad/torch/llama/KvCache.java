package org.visualscratchpad.torch.llama;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;

/**
 * The decoder's key/value cache for one call: per layer post-RoPE keys and values {@code [B,
 * nKV, T, headDim]}, plus which key positions are real (not left padding). Lives in the call's
 * native scope; internal to the torch backend. Not thread-safe.
 */
public final class KvCache {
  final NDArray[] keys;
  final NDArray[] values;
  private int[][] valid;   // [B][T] 1 = real token
  private int length;

  /** An empty cache for {@code layers} layers and {@code batch} rows. */
  public KvCache(int layers, int batch) {
    keys = new NDArray[layers];
    values = new NDArray[layers];
    valid = new int[batch][0];
  }

  /** Number of cached positions. */
  public int length() {
    return length;
  }

  /** Rows in the batch. */
  public int batch() {
    return valid.length;
  }

  /** Whether key position {@code pos} of row {@code row} is a real token. */
  boolean isValid(int row, int pos) {
    return valid[row][pos] != 0;
  }

  /** Appends {@code mask[b][s]} (1 = real) for {@code s} new positions. */
  void append(int[][] mask) {
    int s = mask[0].length;
    for (int b = 0; b < valid.length; b++) {
      int[] grown = Arrays.copyOf(valid[b], length + s);
      System.arraycopy(mask[b], 0, grown, length, s);
      valid[b] = grown;
    }
    length += s;
  }

  /**
   * Moves the cached keys and values into {@code keep} (the call's scope), so that the step's own
   * scope can be closed; arrays replaced by a longer copy are freed at once.
   */
  public void keep(ai.djl.ndarray.NDManager keep) {
    for (int l = 0; l < keys.length; l++) {
      if (keys[l] != null) {
        keys[l].attach(keep);
        values[l].attach(keep);
      }
    }
  }

  /**
   * Starts the cache with known keys and values of {@code length} real positions (batch 1): per
   * layer {@code [1, nKV, length, headDim]} flattened.
   */
  public void preload(ai.djl.ndarray.NDManager m, java.util.List<float[]> k, java.util.List<float[]> v, int kvHeads,
      int length, int headDim) {
    ai.djl.ndarray.types.Shape shape = new ai.djl.ndarray.types.Shape(1, kvHeads, length, headDim);
    for (int l = 0; l < keys.length; l++) {
      keys[l] = m.create(k.get(l), shape);
      values[l] = m.create(v.get(l), shape);
    }
    int[][] ones = new int[1][length];
    java.util.Arrays.fill(ones[0], 1);
    append(ones);
  }

  /** The first {@code length} positions of every layer's keys (index 0) and values (index 1), flattened. */
  public java.util.List<java.util.List<float[]>> export(int length) {
    java.util.List<float[]> k = new java.util.ArrayList<>();
    java.util.List<float[]> v = new java.util.ArrayList<>();
    for (int l = 0; l < keys.length; l++) {
      k.add(keys[l].get(new ai.djl.ndarray.index.NDIndex(":, :, :" + length + ", :")).toFloatArray());
      v.add(values[l].get(new ai.djl.ndarray.index.NDIndex(":, :, :" + length + ", :")).toFloatArray());
    }
    return java.util.List.of(k, v);
  }

  /** The layer's keys, or null before the first step. */
  NDArray keys(int layer) {
    return keys[layer];
  }
}
