package org.visualscratchpad.hook;

import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/** The tower of a vision-language model that a hook point belongs to. */
public enum Tower {
  /** The vision encoder (CLIP ViT): CLS at token 0, then the patches in row-major order. */
  VISION("vision"),
  /** The language model (Llama, Mistral) or CLIP's text tower. */
  TEXT("text");

  private final String prefix;

  Tower(String prefix) {
    this.prefix = prefix;
  }

  /** The prefix used in rendered hook names, e.g. {@code "vision"}. */
  public String prefix() {
    return prefix;
  }

  /** Parses a prefix ({@code vision}, {@code text}; {@code language} is accepted for text). */
  public static Tower parse(String prefix) {
    String p = prefix.toLowerCase(Locale.ROOT);
    for (Tower t : values()) {
      if (t.prefix.equals(p)) {
        return t;
      }
    }
    if (p.equals("language") || p.equals("llm")) {
      return TEXT;
    }
    throw new InvalidInputException(
        "tower (" + prefix + ") must be one of vision, text. Write the hook as vision.blocks.L.hook_resid_post.");
  }
}
