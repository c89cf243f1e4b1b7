package org.visualscratchpad.hook;

import org.visualscratchpad.InvalidInputException;

/** Where inside a transformer block a hook point sits, named as TransformerLens names it. */
public enum HookSite {
  /** The residual stream entering block L (= HF {@code hidden_states[L]}). */
  RESID_PRE("hook_resid_pre"),
  /** The residual stream leaving block L (= HF {@code hidden_states[L+1]}); where SAEs usually read. */
  RESID_POST("hook_resid_post");

  private final String suffix;

  HookSite(String suffix) {
    this.suffix = suffix;
  }

  /** The rendered name, e.g. {@code hook_resid_post}. */
  public String suffix() {
    return suffix;
  }

  static HookSite parse(String suffix, String whole) {
    for (HookSite s : values()) {
      if (s.suffix.equals(suffix)) {
        return s;
      }
    }
    throw new InvalidInputException(
        "hook site (" + suffix + ") in hook point '" + whole
            + "' must be hook_resid_pre or hook_resid_post. Use e.g. vision.blocks.18.hook_resid_post.");
  }
}
