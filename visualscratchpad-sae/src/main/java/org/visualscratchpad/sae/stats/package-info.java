/**
 * Latent statistics over an image dataset: what the paper's exploration panel and noisy-latent
 * filter are computed from.
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.sae.stats.LatentStatistics}</td><td>the streaming, exactly mergeable per-latent aggregate; save/load; bytes for partial results that travel between processes</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.stats.StatisticsOptions}</td><td>top-k size, whether CLS counts</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.stats.ImageActivations}</td><td>one image's SAE codes (per crop), id and label</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.stats.TopImage}, {@link org.visualscratchpad.sae.stats.PatchMask}</td><td>a maximally activating image and where in it the latent fired</td></tr>
 *   <tr><td>{@code LatentStatistics.noisyLatents(p)}</td><td>the top p % by mean activation and by frequency: the API's
 *       one rule, {@link org.visualscratchpad.sae.NoisyLatents}</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.stats.StatisticsRun}, {@link org.visualscratchpad.sae.stats.ImageEntry}</td><td>a run over image files through a vision encoder and an SAE, with checkpoints and skipped-file reports; {@link org.visualscratchpad.sae.stats.StatisticsRun#encode} is the per-image step every run shares (also the Spark module's)</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.stats.ImageDecoding}</td><td>image bytes to pixels within size limits; truncated, unreadable and huge files are refused with a reason</td></tr>
 * </table>
 */
package org.visualscratchpad.sae.stats;
