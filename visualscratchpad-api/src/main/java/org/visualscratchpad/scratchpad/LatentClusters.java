package org.visualscratchpad.scratchpad;

import java.util.List;
import java.util.Optional;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;

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
 * @param dendrogram the merge tree over the heatmap's columns of a hierarchical clustering; empty for k-means
 *     <p>The heatmap's {@link TokenLatentHeatmap#warnings()} (e.g. too few tokens to cluster by
 *     correlation) are printed below the clusters.
 */
public record LatentClusters(TokenLatentHeatmap heatmap, ClusterOptions options, List<LatentCluster> clusters,
    List<Integer> leafOrder, Optional<Dendrogram> dendrogram) {
  public LatentClusters {
    clusters = List.copyOf(clusters);
    leafOrder = List.copyOf(leafOrder);
    InvalidInputException.check(leafOrder.size() == heatmap.latentIds().size(),
        "leaf order (%s columns) must cover the heatmap's %s columns", leafOrder.size(), heatmap.latentIds().size());
    InvalidInputException.check(dendrogram != null, "dendrogram must not be null; pass Optional.empty() for k-means");
    int columns = leafOrder.size();
    dendrogram.ifPresent(d -> InvalidInputException.check(d.leaves() == columns,
        "dendrogram leaves (%s) must be the heatmap's columns (%s)", d.leaves(), columns));
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

  /**
   * Plans ablating cluster {@code index}'s latents on the heatmap's answer.
   *
   * @throws ScratchpadException if the heatmap was built from stored activations, without an answer
   */
  public Experiment ablate(int index) {
    LatentCluster cluster = get(index);
    if (heatmap.answer() == null) {
      throw new ScratchpadException("this heatmap was built from stored activations, not from an answer, so cluster "
          + index + " cannot be ablated. Ask the model (Scratchpad.ask) and cluster that answer's heatmap.");
    }
    return heatmap.answer().ablate(cluster);
  }

  /** The heatmap drawn in leaf order with the cluster bands and, for a hierarchical clustering, its tree (not clustered again). */
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
