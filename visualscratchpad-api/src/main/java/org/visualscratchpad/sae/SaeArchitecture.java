package org.visualscratchpad.sae;

import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/** The activation function of an SAE, named as SAELens names it in {@code cfg.json}. */
public enum SaeArchitecture {
  /** {@code h = relu(pre)}: the paper's vanilla SAE. */
  STANDARD("standard"),
  /** {@code h} keeps the {@code k} largest pre-activations of each row (after ReLU), zero elsewhere. */
  TOPK("topk"),
  /** {@code h = pre * (pre > threshold)} with a learned per-latent threshold. */
  JUMPRELU("jumprelu");

  private final String cfgName;

  SaeArchitecture(String cfgName) {
    this.cfgName = cfgName;
  }

  /** The name in SAELens' {@code cfg.json}. */
  public String cfgName() {
    return cfgName;
  }

  /** Parses a SAELens architecture name ({@code relu} and {@code gated}'s absence are explained). */
  public static SaeArchitecture parse(String name) {
    String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
    for (SaeArchitecture a : values()) {
      if (a.cfgName.equals(n)) {
        return a;
      }
    }
    if (n.equals("relu") || n.equals("vanilla")) {
      return STANDARD;
    }
    throw new InvalidInputException("SAE architecture (" + name
        + ") must be one of standard, topk, jumprelu. Convert the checkpoint to one of these.");
  }
}
