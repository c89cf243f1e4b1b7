package org.visualscratchpad.sae;

import org.visualscratchpad.InvalidInputException;

/**
 * An SAE architecture, named as SAELens names it in {@code cfg.json} ({@code standard}, {@code topk},
 * {@code jumprelu}, {@code gated}, ...). This is the name only, a value: what an architecture computes
 * (its encoder, the parameters it reads) is the type registered for the name in {@code
 * visualscratchpad-sae} ({@code org.visualscratchpad.sae.architecture.SaeTypes}), so that a new
 * architecture is added there, in one place, without changing this module.
 *
 * <pre>{@code
 * jshell> SaeArchitecture.TOPK
 * $1 ==> topk
 * jshell> SaeTypes.parse("gated").architecture()      // visualscratchpad-sae: every registered name
 * }</pre>
 *
 * @param cfgName the name in SAELens' {@code cfg.json}: lower case letters, digits and {@code _}
 * @param usesK whether the SAE keeps {@code k} latents per row, so that {@link SaeConfig#k()} applies
 */
public record SaeArchitecture(String cfgName, boolean usesK) {
  /** {@code h = relu(pre)}: the paper's vanilla SAE. */
  public static final SaeArchitecture STANDARD = new SaeArchitecture("standard", false);
  /** {@code h} keeps the {@code k} largest pre-activations of each row (after ReLU), zero elsewhere. */
  public static final SaeArchitecture TOPK = new SaeArchitecture("topk", true);
  /** {@code h = pre * (pre > threshold)} with a learned per-latent threshold. */
  public static final SaeArchitecture JUMPRELU = new SaeArchitecture("jumprelu", false);

  public SaeArchitecture {
    InvalidInputException.check(cfgName != null && cfgName.matches("[a-z0-9_]+"),
        "SAE architecture name (%s) must be SAELens' name: lower case letters, digits and _", cfgName);
  }

  @Override
  public String toString() {
    return cfgName;
  }
}
