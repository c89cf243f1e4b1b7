/**
 * Sparse autoencoders as the API sees them; implementations and file formats live in {@code
 * visualscratchpad-sae}.
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.sae.SparseAutoencoder}</td><td>encode, decode, intervene; a latent's decoder direction</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.SaeConfig}, {@link org.visualscratchpad.sae.SaeArchitecture}</td><td>what an
 *       SAE is: sizes, hook point, input convention, and its architecture by SAELens' name (the behaviour of each
 *       is a type in {@code visualscratchpad-sae}'s registry, {@code SaeTypes})</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.SparseActivations}</td><td>the sparse {@code [tokens x d_sae]} codes</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.DatasetStatistics}</td><td>per-latent mean activation and frequency over a dataset</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.NoisyLatents}</td><td>the one noisy-latent rule (top p % per axis), used by
 *       {@code vsp stats}, the heatmap filter and the statistics scatter</td></tr>
 * </table>
 */
package org.visualscratchpad.sae;
