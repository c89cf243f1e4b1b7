/**
 * Exploration views: {@link org.visualscratchpad.analysis.embedding.LatentMap} (UMAP of decoder
 * directions, every latent placed, seeded; {@link org.visualscratchpad.analysis.embedding.UmapOptions}), its
 * exact k-NN graph ({@code ExactNeighbours}) and {@link
 * org.visualscratchpad.analysis.embedding.StatisticsScatter} (mean activation vs frequency with the thresholds of
 * the one noisy-latent rule). Uses Smile (GPL-3.0).
 */
package org.visualscratchpad.analysis.embedding;
