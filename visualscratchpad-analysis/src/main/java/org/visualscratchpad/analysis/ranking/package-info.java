/**
 * Attention-weighted ranking of SAE latents (paper Fig. 2): the one scorer of {@code h_patches^T attn}.
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.analysis.ranking.ImageTokenRows}: which SAE row each image token carries</li>
 *   <li>{@link org.visualscratchpad.analysis.ranking.PatchActivations}: the image's activations, cached token- and latent-major</li>
 *   <li>{@link org.visualscratchpad.analysis.ranking.AttentionScorer}: the scores, per token top-k, of chosen latents,
 *       the plain mean over patches; read by the ranking and the heatmap alike</li>
 *   <li>{@link org.visualscratchpad.analysis.ranking.AttentionWeighting}: raw attention or per image mass</li>
 *   <li>{@link org.visualscratchpad.analysis.ranking.TokenLatentScores}, {@link org.visualscratchpad.analysis.ranking.LatentScoreVector},
 *       {@link org.visualscratchpad.analysis.ranking.SpanAggregation}: dense scores, spans, top-k</li>
 * </ul>
 *
 * <p>Rankings leave the module as the API's {@link org.visualscratchpad.scratchpad.LatentRanking} of
 * {@link org.visualscratchpad.scratchpad.RankedLatent}.
 */
package org.visualscratchpad.analysis.ranking;
