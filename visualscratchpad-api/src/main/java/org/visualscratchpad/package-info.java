/**
 * VisualScratchpad for the JVM: which visual concepts a vision-language model captures and which
 * it uses.
 *
 * <table>
 *   <caption>Packages of the API module</caption>
 *   <tr><th>package</th><th>holds</th></tr>
 *   <tr><td>{@link org.visualscratchpad.hook}</td><td>{@code HookPoint}: named activation sites</td></tr>
 *   <tr><td>{@link org.visualscratchpad.tensor}</td><td>{@code FloatMatrix}: immutable dense values</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae}</td><td>{@code SparseAutoencoder}, {@code SaeConfig},
 *       {@code SaeArchitecture}, {@code SparseActivations}, {@code DatasetStatistics}, {@code NoisyLatents}</td></tr>
 *   <tr><td>{@link org.visualscratchpad.intervention}</td><td>{@code LatentIntervention} (ablate,
 *       set, scale, add direction), {@code TokenScope}, {@code InterventionPlan}</td></tr>
 *   <tr><td>{@link org.visualscratchpad.vision}</td><td>{@code VisionEncoder}, image-token locations</td></tr>
 *   <tr><td>{@link org.visualscratchpad.attention}</td><td>{@code AttentionTap}, text-to-image attention</td></tr>
 *   <tr><td>{@link org.visualscratchpad.scratchpad}</td><td>the {@code Scratchpad} facade, its SPIs, and the
 *       records every analysis returns (rankings, heatmaps, clusters, pictures)</td></tr>
 * </table>
 *
 * <p>Errors: every exception thrown on purpose is a {@link org.visualscratchpad.ScratchpadException}.
 */
package org.visualscratchpad;
