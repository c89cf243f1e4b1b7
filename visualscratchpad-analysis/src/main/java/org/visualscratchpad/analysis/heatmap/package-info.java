/**
 * The token-latent heatmap's computation (paper §2, §A.2); it leaves the module as the API's
 * {@link org.visualscratchpad.scratchpad.TokenLatentHeatmap}.
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.analysis.heatmap.HeatmapMatrix}: the union of every token's top-k latents and their
 *       scores, in one scoring pass (which also names the latents the filter removed); its normalisation</li>
 *   <li>{@link org.visualscratchpad.analysis.heatmap.FilteredLatents}: the latents left out, by the API's one
 *       noisy-latent rule ({@link org.visualscratchpad.sae.NoisyLatents}) on the axes the options choose</li>
 *   <li>{@link org.visualscratchpad.analysis.heatmap.TokenSpan}: the attention rows a matrix covers</li>
 * </ul>
 *
 * <p>The entry points that build the API's records are in {@link org.visualscratchpad.analysis.scratchpad.ScratchpadAnalysis}.
 */
package org.visualscratchpad.analysis.heatmap;
