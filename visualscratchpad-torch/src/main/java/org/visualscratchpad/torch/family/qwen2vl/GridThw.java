package org.visualscratchpad.torch.family.qwen2vl;

import org.visualscratchpad.InvalidInputException;

/**
 * One image's patch grid as Hugging Face's {@code image_grid_thw} row gives it: {@code t} temporal
 * patches (1 for an image), {@code h x w} spatial patches of 14 px. The vision tower sees {@code t * h *
 * w} patches; the language model {@code t * (h / merge) * (w / merge)} merged tokens.
 *
 * <pre>{@code
 * jshell> new GridThw(1, 4, 6).mergedTokens(2)
 * $1 ==> 6
 * }</pre>
 *
 * @param t temporal patches, &gt; 0
 * @param h patch rows, &gt; 0
 * @param w patch columns, &gt; 0
 */
public record GridThw(int t, int h, int w) {
  public GridThw {
    InvalidInputException.check(t > 0 && h > 0 && w > 0, "image_grid_thw (%s, %s, %s) must be positive", t, h, w);
  }

  /** Patches the vision tower sees: {@code t * h * w}. */
  public int patches() {
    return Math.multiplyExact(Math.multiplyExact(t, h), w);
  }

  /**
   * Language-model tokens after the {@code merge x merge} patch merger.
   *
   * @throws InvalidInputException if {@code h} or {@code w} is not a multiple of {@code merge}
   */
  public int mergedTokens(int merge) {
    InvalidInputException.check(merge > 0 && h % merge == 0 && w % merge == 0,
        "image_grid_thw (%s, %s, %s) must have h and w divisible by spatial_merge_size (%s)", t, h, w, merge);
    return t * (h / merge) * (w / merge);
  }

  @Override
  public String toString() {
    return "GridThw[" + t + " x " + h + " x " + w + "]";
  }
}
