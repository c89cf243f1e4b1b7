/**
 * The token-latent heatmap (paper §2, §A.2).
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.analysis.heatmap.TokenLatentHeatmap}: build it; its clusters</li>
 *   <li>{@link org.visualscratchpad.analysis.heatmap.HeatmapOptions}: k, filter, normalisation, clustering</li>
 *   <li>{@link org.visualscratchpad.analysis.heatmap.LatentStatistics}, {@link org.visualscratchpad.analysis.heatmap.NoisyLatentFilter}, {@link org.visualscratchpad.analysis.heatmap.FilteredLatents}: the noisy-latent filter</li>
 *   <li>{@link org.visualscratchpad.analysis.heatmap.HeatmapMatrix}: the raw union-of-top-k matrix (the fast part)</li>
 * </ul>
 */
package org.visualscratchpad.analysis.heatmap;
