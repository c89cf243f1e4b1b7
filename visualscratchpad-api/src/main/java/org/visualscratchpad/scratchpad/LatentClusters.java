package org.visualscratchpad.scratchpad;

import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * The clusters of a heatmap's columns, with the dendrogram's leaf order (hierarchical methods).
 *
 * <pre>{@code
 * jshell> var clusters = answer.cluster()
 * clusters ==> LatentClusters[5 clusters, AVERAGE/CORRELATION]
 *   cluster 0 [412, 97, 1033] strongest on [red]
 *   ...
 * jshell> clusters.ablate(0).regenerate()
 * }</pre>
 *
 * @param heatmap the clustered heatmap
 * @param options how it was clustered
 * @param clusters the clusters
 * @param leafOrder column indices in dendrogram leaf order (or grouped by cluster for k-means)
 *     <p>The heatmap's {@link TokenLatentHeatmap#warnings()} (e.g. too few tokens to cluster by
 *     correlation) are printed below the clusters.
 */
public record LatentClusters(TokenLatentHeatmap heatmap, ClusterOptions options, List<LatentCluster> clusters,
    List<Integer> leafOrder) {
  public LatentClusters {
    clusters = List.copyOf(clusters);
    leafOrder = List.copyOf(leafOrder);
  }

  /** Cluster {@code index}. */
  public LatentCluster get(int index) {
    InvalidInputException.check(index >= 0 && index < clusters.size(),
        "cluster index (%s) must lie in [0, %s)", index, clusters.size());
    return clusters.get(index);
  }

  /** The cluster that holds {@code latentId}, if any. */
  public java.util.Optional<LatentCluster> clusterOf(int latentId) {
    return clusters.stream().filter(c -> c.latentIds().contains(latentId)).findFirst();
  }

  /** Plans ablating cluster {@code index}'s latents on the heatmap's answer. */
  public Experiment ablate(int index) {
    return heatmap.answer().ablate(get(index));
  }

  /** The heatmap drawn in leaf order with the cluster bands. */
  public Picture picture() {
    return AnalysisProvider.get().picture(heatmap, this);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("LatentClusters[").append(clusters.size()).append(" clusters, ")
        .append(options.method()).append('/').append(options.distance()).append(']');
    for (LatentCluster c : clusters) {
      sb.append(System.lineSeparator()).append("  ").append(c);
    }
    for (String w : heatmap.warnings()) {
      sb.append(System.lineSeparator()).append("  warning: ").append(w);
    }
    return sb.toString();
  }
}
