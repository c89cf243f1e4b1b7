/**
 * Exploration views: {@link org.visualscratchpad.analysis.embedding.LatentMap} (UMAP of decoder
 * directions, every latent placed, seeded) and {@link org.visualscratchpad.analysis.embedding.StatisticsScatter}
 * (mean activation vs frequency with the noisy-latent thresholds). Uses Smile (GPL-3.0).
 */
package org.visualscratchpad.analysis.embedding;
