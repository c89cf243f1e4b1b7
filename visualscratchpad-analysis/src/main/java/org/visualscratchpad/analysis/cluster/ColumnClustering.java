package org.visualscratchpad.analysis.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.Dendrogram;

/**
 * A flat clustering of {@code n} columns with their display order.
 *
 * <pre>{@code
 * jshell> var c = ColumnClusterer.cluster(values, ClusterOptions.defaults().withClusters(3));
 * c ==> ColumnClustering[40 columns into 3 clusters (sizes [15, 13, 12]), AVERAGE on CORRELATION distance ...]
 * }</pre>
 *
 * @param options how it was computed (with the seed for k-means)
 * @param labels cluster of each column, {@code 0..clusterCount-1}, numbered in order of first
 *     appearance along {@code order}
 * @param order the column display order: the dendrogram's leaf order, or for k-means the columns
 *     grouped by cluster
 * @param clusterCount number of (non-empty) clusters
 * @param dendrogram the merge tree of a hierarchical clustering; empty for k-means
 */
public record ColumnClustering(ClusterOptions options, List<Integer> labels, List<Integer> order, int clusterCount,
    Optional<Dendrogram> dendrogram) {
  public ColumnClustering {
    labels = List.copyOf(labels);
    order = List.copyOf(order);
    InvalidInputException.check(labels.size() == order.size(), "labels (%s) and order (%s) must have one entry per column",
        labels.size(), order.size());
    for (int label : labels) {
      InvalidInputException.check(label >= 0 && label < clusterCount, "label (%s) must lie in [0, %s)", label, clusterCount);
    }
  }

  /** Number of columns. */
  public int columns() {
    return labels.size();
  }

  /** The columns of cluster {@code label}, in display order. */
  public List<Integer> members(int label) {
    List<Integer> out = new ArrayList<>();
    for (int column : order) {
      if (labels.get(column) == label) {
        out.add(column);
      }
    }
    return List.copyOf(out);
  }

  /** The size of every cluster, by label. */
  public List<Integer> sizes() {
    int[] sizes = new int[clusterCount];
    for (int label : labels) {
      sizes[label]++;
    }
    List<Integer> out = new ArrayList<>();
    for (int s : sizes) {
      out.add(s);
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return "ColumnClustering[" + columns() + " columns into " + clusterCount + " clusters (sizes " + sizes() + "), "
        + describe(options) + dendrogram.map(d -> ", " + d).orElse("") + "]";
  }

  /** The options in words, e.g. {@code AVERAGE on CORRELATION distance, into 4 clusters} or {@code KMEANS ..., seed 7}. */
  static String describe(ClusterOptions o) {
    String cut = o.clusters() > 0 ? "into " + o.clusters() + " clusters"
        : String.format(java.util.Locale.ROOT, "cut at height %.4g", o.cutHeight());
    return o.method() + " on " + o.distance() + " distance, " + cut
        + (o.method() == ClusterOptions.Method.KMEANS ? ", " + o.restarts() + " restarts, seed " + o.seed() : "");
  }
}
