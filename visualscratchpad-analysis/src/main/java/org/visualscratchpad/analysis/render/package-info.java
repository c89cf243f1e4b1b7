/**
 * Pictures, headless ({@code java.awt.headless=true}), deterministic: each is a {@link
 * org.visualscratchpad.scratchpad.Picture} with PNG bytes and, where small, SVG text.
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.analysis.render.HeatmapPicture}: the API's token-latent heatmap, with the dendrogram
 *       and cluster bands its {@code LatentClusters} carry</li>
 *   <li>{@link org.visualscratchpad.analysis.render.AttentionPicture}: one token's attention over the image (anyres-aware)</li>
 *   <li>{@link org.visualscratchpad.analysis.render.ActivationBarsPicture}: weighted vs unweighted latent bars</li>
 *   <li>{@link org.visualscratchpad.analysis.render.ReferenceImagesPicture}: a latent's reference images with patch masks</li>
 *   <li>{@link org.visualscratchpad.analysis.render.ScatterPicture}, {@link org.visualscratchpad.analysis.render.ScatterPlot}: statistics and UMAP scatters</li>
 *   <li>{@link org.visualscratchpad.analysis.render.ColorScale}: colours and legends</li>
 *   <li>{@code Canvas}, {@code RasterCanvas}, {@code SvgCanvas}, {@code Drawing}, {@code Fonts}: one drawing, PNG and SVG</li>
 * </ul>
 */
package org.visualscratchpad.analysis.render;
