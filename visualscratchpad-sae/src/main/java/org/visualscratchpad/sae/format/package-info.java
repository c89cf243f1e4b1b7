/**
 * SAE checkpoints on disk. Each reads the shared tensors and the config, and asks the architecture's
 * type ({@link org.visualscratchpad.sae.architecture.SaeTypes}) for the rest.
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.sae.format.SaeLoader}</td><td>{@code load(path)}, {@code load(path, hookWidth)}, {@code inspect(path)}, {@code detect(path)}</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.format.SaeLoadOptions}</td><td>expected {@code d_in}, hook point override, kernel</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.format.SaeCheckpointInfo}</td><td>what {@code vsp sae info} prints</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.format.SparsityStatistics}</td><td>summary of SAELens' {@code sparsity.safetensors}</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.format.SaeFormat}</td><td>the layouts: SAELens folders, PatchSAE files
 *       (read by {@code SaeLensFormat} and {@code PatchSaeFormat})</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.format.TorchPickle}</td><td>restricted reader of {@code torch.save} zips (PatchSAE); never executes anything</td></tr>
 * </table>
 */
package org.visualscratchpad.sae.format;
