/**
 * Clustering of heatmap columns (latents by their activation pattern over tokens), as the API's
 * {@link org.visualscratchpad.scratchpad.ClusterOptions} say.
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.analysis.cluster.ColumnClusterer}: the entry point; hierarchical (Smile's linkages) or
 *       k-means (seeded, implemented here), correlation or Euclidean distance</li>
 *   <li>{@link org.visualscratchpad.analysis.cluster.ColumnClustering}: labels per column, display order and, for a
 *       hierarchical clustering, the API's {@link org.visualscratchpad.scratchpad.Dendrogram}</li>
 * </ul>
 *
 * <p>Clusters leave the module as the API's {@link org.visualscratchpad.scratchpad.LatentClusters}. Uses Smile 3.1.1 (GPL-3.0).
 */
package org.visualscratchpad.analysis.cluster;
