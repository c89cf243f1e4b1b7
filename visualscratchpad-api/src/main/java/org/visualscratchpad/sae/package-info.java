/**
 * Sparse autoencoders: {@link org.visualscratchpad.sae.SparseAutoencoder}, its {@link
 * org.visualscratchpad.sae.SaeConfig}, and the sparse {@link org.visualscratchpad.sae.SparseActivations}
 * it produces. Implementations and file formats live in {@code visualscratchpad-sae}.
 */
package org.visualscratchpad.sae;
