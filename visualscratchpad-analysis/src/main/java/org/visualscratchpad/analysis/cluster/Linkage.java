package org.visualscratchpad.analysis.cluster;

/**
 * How agglomerative clustering measures the distance between two clusters (Smile's
 * implementations: single, complete, UPGMA average, Ward).
 *
 * <pre>{@code
 * jshell> new ClusteringMethod.Hierarchical(Linkage.AVERAGE, ColumnDistance.CORRELATION, new Cut.IntoClusters(4))
 * }</pre>
 */
public enum Linkage {
  /** The closest pair of members. */
  SINGLE,
  /** The farthest pair of members. */
  COMPLETE,
  /** The mean distance over all member pairs (UPGMA). */
  AVERAGE,
  /** The increase in within-cluster variance (Ward's minimum variance). */
  WARD
}
