package org.visualscratchpad.analysis.cluster;

/**
 * The distance between two heatmap columns (a latent's values over the tokens).
 *
 * <pre>{@code
 * jshell> ColumnDistance.CORRELATION
 * }</pre>
 */
public enum ColumnDistance {
  /**
   * {@code 1 - r}, with {@code r} the Pearson correlation of the two columns (range [0, 2]). A
   * constant column has no defined correlation: it is treated as uncorrelated ({@code r = 0},
   * distance 1) with every other column, constant or not. Under Ward linkage and k-means the
   * Euclidean distance between standardised columns, {@code sqrt(2 (1 - r))}, is used instead, which
   * orders pairs identically and is the geometry those methods assume. (K-means standardises a
   * constant column to the zero vector, so constant columns fall into one cluster there.)
   */
  CORRELATION,
  /** The Euclidean distance between the raw (normalised) columns. */
  EUCLIDEAN
}
