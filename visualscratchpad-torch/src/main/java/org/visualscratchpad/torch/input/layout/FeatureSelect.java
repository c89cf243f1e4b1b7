package org.visualscratchpad.torch.input.layout;

import org.visualscratchpad.InvalidInputException;

/**
 * {@code vision_feature_select_strategy}: which rows of a crop's vision features reach the
 * language model.
 *
 * <pre>{@code
 * jshell> FeatureSelect.parse("default").featuresPerCrop(24)
 * $1 ==> 576
 * }</pre>
 */
public enum FeatureSelect {
  /** {@code "default"}: drop CLS, keep the patches (every released LLaVA checkpoint). */
  DEFAULT,
  /** {@code "full"}: keep CLS and the patches. */
  FULL;

  /**
   * The strategy named as in {@code config.json}.
   *
   * @throws InvalidInputException for any other name
   */
  public static FeatureSelect parse(String name) {
    if ("default".equals(name)) {
      return DEFAULT;
    }
    if ("full".equals(name)) {
      return FULL;
    }
    throw new InvalidInputException(String.format(
        "vision_feature_select_strategy (%s) must be \"default\" or \"full\". Check config.json.", name));
  }

  /** Feature rows per crop for a {@code grid x grid} patch grid: {@code grid^2}, plus 1 for CLS under FULL. */
  public int featuresPerCrop(int grid) {
    return grid * grid + (this == FULL ? 1 : 0);
  }
}
