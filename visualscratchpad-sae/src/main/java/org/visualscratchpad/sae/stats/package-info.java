/**
 * Latent statistics over an image dataset: what the paper's exploration panel and noisy-latent
 * filter are computed from.
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.sae.stats.LatentStatistics}</td><td>the streaming, exactly mergeable per-latent aggregate; save/load</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.stats.StatisticsOptions}</td><td>top-k size, whether CLS counts</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.stats.ImageActivations}</td><td>one image's SAE codes (per crop), id and label</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.stats.TopImage}, {@link org.visualscratchpad.sae.stats.PatchMask}</td><td>a maximally activating image and where in it the latent fired</td></tr>
 *   <tr><td>{@code LatentStatistics.noisyLatents(p)}</td><td>the top p % by mean activation and by frequency: the API's
 *       one rule, {@link org.visualscratchpad.sae.NoisyLatents}</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.stats.StatisticsRun}, {@link org.visualscratchpad.sae.stats.ImageEntry}</td><td>a run over image files through a vision encoder and an SAE, with checkpoints and skipped-file reports</td></tr>
 * </table>
 */
package org.visualscratchpad.sae.stats;
