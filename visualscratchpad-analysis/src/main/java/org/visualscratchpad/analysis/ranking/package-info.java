/**
 * Attention-weighted ranking of SAE latents (paper Fig. 2).
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.analysis.ranking.ImageTokenRows}: which SAE row each image token carries</li>
 *   <li>{@link org.visualscratchpad.analysis.ranking.PatchActivations}: the image's activations, cached token- and latent-major</li>
 *   <li>{@link org.visualscratchpad.analysis.ranking.LatentRanking}: scores per token, mean over patches</li>
 *   <li>{@link org.visualscratchpad.analysis.ranking.TokenLatentScores}, {@link org.visualscratchpad.analysis.ranking.LatentScoreVector}: results, spans, top-k</li>
 *   <li>{@link org.visualscratchpad.analysis.ranking.AttentionWeightedTopK}: the fused top-k kernel behind the heatmap</li>
 * </ul>
 */
package org.visualscratchpad.analysis.ranking;
