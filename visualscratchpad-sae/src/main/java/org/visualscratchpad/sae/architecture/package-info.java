/**
 * SAE architectures as types that carry their own behaviour, found by SAELens' names.
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.sae.architecture.SaeTypes}: the registry, one line per architecture</li>
 *   <li>{@link org.visualscratchpad.sae.architecture.SaeType}: an architecture's name, the tensors it reads and the
 *       encoder they make (a {@link org.visualscratchpad.sae.kernel.LatentActivation})</li>
 *   <li>{@code StandardSae}, {@code TopKSae}, {@code JumpReluSae}, {@code GatedSae}: the registered ones</li>
 *   <li>{@link org.visualscratchpad.sae.architecture.SaeParameters}: named tensors from a file, a state dict or memory</li>
 * </ul>
 *
 * <p>Adding an architecture: its {@code SaeType} here and its line in {@code SaeTypes}; the checkpoint
 * readers, both kernels and the command line then know it.
 */
package org.visualscratchpad.sae.architecture;
