package org.visualscratchpad.scratchpad;

import org.visualscratchpad.InvalidInputException;

/**
 * How heatmap columns (latents) are clustered.
 *
 * @param method hierarchical linkage or k-means
 * @param distance correlation (1 - Pearson r between columns) or euclidean
 * @param clusters number of clusters (&gt;= 1), or 0 to cut the dendrogram at {@code cutHeight}
 * @param cutHeight the height of the cut when {@code clusters == 0}
 * @param seed seed of k-means initialisation (recorded)
 * @param restarts k-means restarts (&gt;= 1)
 */
public record ClusterOptions(Method method, Distance distance, int clusters, double cutHeight, long seed, int restarts) {

  /** Clustering methods. */
  public enum Method { SINGLE, COMPLETE, AVERAGE, WARD, KMEANS }

  /** Column distances. */
  public enum Distance { CORRELATION, EUCLIDEAN }

  public ClusterOptions {
    InvalidInputException.check(method != null && distance != null, "cluster method and distance must be set");
    InvalidInputException.check(clusters >= 0, "clusters (%s) must be >= 0 (0 = cut at a height)", clusters);
    InvalidInputException.check(clusters > 0 || (Double.isFinite(cutHeight) && cutHeight >= 0),
        "cut height (%s) must be finite and >= 0 when clusters is 0", cutHeight);
    InvalidInputException.check(clusters > 0 || method != Method.KMEANS, "k-means needs a number of clusters (> 0)");
    InvalidInputException.check(restarts >= 1, "restarts (%s) must be >= 1", restarts);
  }

  /** Average linkage on correlation distance, 5 clusters. */
  public static ClusterOptions defaults() {
    return new ClusterOptions(Method.AVERAGE, Distance.CORRELATION, 5, 0, 0, 10);
  }

  public ClusterOptions withClusters(int n) {
    return new ClusterOptions(method, distance, n, cutHeight, seed, restarts);
  }

  public ClusterOptions withMethod(Method m) {
    return new ClusterOptions(m, distance, clusters, cutHeight, seed, restarts);
  }

  public ClusterOptions withDistance(Distance d) {
    return new ClusterOptions(method, d, clusters, cutHeight, seed, restarts);
  }

  public ClusterOptions withSeed(long s) {
    return new ClusterOptions(method, distance, clusters, cutHeight, s, restarts);
  }
}
