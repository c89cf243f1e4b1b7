/**
 * Clustering of heatmap columns (latents by their activation pattern over tokens).
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.analysis.cluster.ColumnClusterer}: the entry point</li>
 *   <li>{@link org.visualscratchpad.analysis.cluster.ClusteringMethod}: hierarchical (Smile) or k-means (seeded)</li>
 *   <li>{@link org.visualscratchpad.analysis.cluster.ColumnClustering}, {@link org.visualscratchpad.analysis.cluster.Dendrogram}: results</li>
 * </ul>
 *
 * <p>Uses Smile 3.1.1 (GPL-3.0).
 */
package org.visualscratchpad.analysis.cluster;
