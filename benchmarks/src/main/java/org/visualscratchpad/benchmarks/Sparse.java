package org.visualscratchpad.benchmarks;

import org.visualscratchpad.sae.SparseActivations;

/** Builds sparse rows from the (row, latent) coordinates a library returns in row-major order. */
final class Sparse {
  private Sparse() {}

  static SparseActivations fromCoordinates(int rows, int dSae, long[] rowLatentPairs, float[] values) {
    int nnz = values.length;
    int[] rowPtr = new int[rows + 1];
    int[] ids = new int[nnz];
    for (int i = 0; i < nnz; i++) {
      rowPtr[(int) rowLatentPairs[2 * i] + 1]++;
      ids[i] = (int) rowLatentPairs[2 * i + 1];
    }
    for (int r = 0; r < rows; r++) {
      rowPtr[r + 1] += rowPtr[r];
    }
    return SparseActivations.of(dSae, rowPtr, ids, values);
  }
}
