package org.visualscratchpad.sae.format;

/** The on-disk layouts {@link SaeLoader} reads. */
public enum SaeFormat {
  /**
   * SAELens: a folder with {@code cfg.json} (v5 flat or v6 with {@code metadata}), {@code
   * sae_weights.safetensors} and optionally {@code sparsity.safetensors}.
   */
  SAELENS,
  /**
   * PatchSAE: one {@code torch.save} zip ({@code .pt}/{@code .pth}) holding {@code {"cfg": ...,
   * "state_dict": {W_enc, b_enc, W_dec, b_dec}}}, read by a restricted unpickler.
   */
  PATCHSAE
}
