package org.visualscratchpad.sae;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;

/**
 * What an SAE is: its activation, sizes, hook point and input convention. Read from SAELens'
 * {@code cfg.json} or a PatchSAE checkpoint's {@code cfg} by the {@code visualscratchpad-sae}
 * module.
 *
 * <pre>{@code
 * jshell> new SaeConfig(SaeArchitecture.STANDARD, 1024, 32768, HookPoint.visionResidPost(18), true, 0, "float32", "clip-vit-large-patch14-336")
 * }</pre>
 *
 * @param architecture the activation function
 * @param dIn width of the hooked residual stream
 * @param dSae number of latents
 * @param hookPoint where the SAE reads
 * @param applyBDecToInput whether {@code b_dec} is subtracted from the input before encoding
 * @param k latents kept per row for an architecture that {@link SaeArchitecture#usesK() uses k} (topk); 0 otherwise
 * @param dtype the stored dtype of the weights (e.g. {@code float32}); computation is in float32
 * @param modelName the model the SAE was trained on, as its checkpoint says ({@code ""} if unknown)
 */
public record SaeConfig(
    SaeArchitecture architecture,
    int dIn,
    int dSae,
    HookPoint hookPoint,
    boolean applyBDecToInput,
    int k,
    String dtype,
    String modelName) {

  public SaeConfig {
    InvalidInputException.check(architecture != null, "SAE architecture must not be null");
    InvalidInputException.check(hookPoint != null, "SAE hook point must not be null");
    InvalidInputException.check(dIn > 0, "SAE d_in (%s) must be > 0", dIn);
    InvalidInputException.check(dSae > 0, "SAE d_sae (%s) must be > 0", dSae);
    if (architecture.usesK()) {
      InvalidInputException.check(k > 0 && k <= dSae, "%s SAE k (%s) must lie in [1, d_sae = %s]", architecture.cfgName(), k,
          dSae);
    } else {
      InvalidInputException.check(k == 0, "k (%s) applies only to SAEs that keep k latents per row (topk); use 0 for %s",
          k, architecture.cfgName());
    }
    dtype = dtype == null ? "float32" : dtype;
    modelName = modelName == null ? "" : modelName;
  }
}
