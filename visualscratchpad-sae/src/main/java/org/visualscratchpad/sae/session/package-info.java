/**
 * Saved sessions: an {@link org.visualscratchpad.scratchpad.Answer} on disk (JSON, PNG and
 * safetensors) with the SHA-256 identity of the model and SAE that made it.
 *
 * <ul>
 *   <li>{@link org.visualscratchpad.sae.session.Session}: save, view without a model, continue with one;
 *   <li>{@link org.visualscratchpad.sae.session.FileIdentity}: file hashes of a model folder or an SAE.
 * </ul>
 */
package org.visualscratchpad.sae.session;
