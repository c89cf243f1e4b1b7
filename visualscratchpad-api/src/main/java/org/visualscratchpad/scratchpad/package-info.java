/**
 * The {@link org.visualscratchpad.scratchpad.Scratchpad} facade, its service-provider interfaces, and
 * the records every analysis returns: the one home of the results and options that leave the
 * library (the analysis module computes them, never a type of its own).
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.scratchpad.Scratchpad}, {@link org.visualscratchpad.scratchpad.LoadSpec},
 *       {@link org.visualscratchpad.scratchpad.AskOptions}, {@link org.visualscratchpad.scratchpad.Sampling}</td>
 *       <td>load a model and an SAE, ask; the options of a call</td></tr>
 *   <tr><td>{@link org.visualscratchpad.scratchpad.Answer}, {@link org.visualscratchpad.scratchpad.Token},
 *       {@link org.visualscratchpad.scratchpad.PhaseTiming}</td><td>what one call saw and said; the fluent start of
 *       every analysis and intervention</td></tr>
 *   <tr><td>{@link org.visualscratchpad.scratchpad.Experiment}, {@link org.visualscratchpad.scratchpad.AnswerDiff}</td>
 *       <td>edits planned on an answer, run with {@code regenerate()}; two answers token by token</td></tr>
 *   <tr><td>{@link org.visualscratchpad.scratchpad.RankOptions}, {@link org.visualscratchpad.scratchpad.LatentRanking},
 *       {@link org.visualscratchpad.scratchpad.RankedLatent}</td><td>latents ranked per token and over a span</td></tr>
 *   <tr><td>{@link org.visualscratchpad.scratchpad.HeatmapOptions}, {@link org.visualscratchpad.scratchpad.TokenLatentHeatmap}</td>
 *       <td>the token-latent heatmap (top-k per token, noisy latents filtered, normalised)</td></tr>
 *   <tr><td>{@link org.visualscratchpad.scratchpad.ClusterOptions}, {@link org.visualscratchpad.scratchpad.LatentClusters},
 *       {@link org.visualscratchpad.scratchpad.LatentCluster}, {@link org.visualscratchpad.scratchpad.Dendrogram}</td>
 *       <td>its columns clustered, the unit of ablation; the merge tree of a hierarchical clustering</td></tr>
 *   <tr><td>{@link org.visualscratchpad.scratchpad.Picture}</td><td>a rendered figure (PNG, SVG)</td></tr>
 *   <tr><td>{@link org.visualscratchpad.scratchpad.DecoderMap}</td><td>a 2-D map of the decoder directions</td></tr>
 *   <tr><td>{@link org.visualscratchpad.scratchpad.ClassPrompts}, {@link org.visualscratchpad.scratchpad.Classification},
 *       {@link org.visualscratchpad.scratchpad.ClassScore}</td><td>CLIP zero-shot classification and its edits</td></tr>
 *   <tr><td>{@link org.visualscratchpad.scratchpad.ScratchpadProvider}, {@link org.visualscratchpad.scratchpad.AnalysisProvider}</td>
 *       <td>the service-provider interfaces: the model backend ({@code visualscratchpad-torch}) and the analyses
 *       ({@code visualscratchpad-analysis})</td></tr>
 * </table>
 */
package org.visualscratchpad.scratchpad;
