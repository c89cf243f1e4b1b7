package org.visualscratchpad.torch.input;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.layout.FeatureSelect;

/**
 * The few model-config values the inputs depend on, read by the model loader from {@code
 * config.json}: the vision tower's {@code patch_size}, {@code image_token_index}, {@code
 * vision_feature_select_strategy} and the text model's {@code max_position_embeddings}.
 *
 * <pre>{@code
 * jshell> new InputSpec(14, 32000, FeatureSelect.DEFAULT, 4096)
 * }</pre>
 *
 * @param patchSize {@code vision_config.patch_size}
 * @param imageTokenId {@code image_token_index}
 * @param select {@code vision_feature_select_strategy}
 * @param contextLength {@code text_config.max_position_embeddings}
 */
public record InputSpec(int patchSize, long imageTokenId, FeatureSelect select, int contextLength) {
  public InputSpec {
    InvalidInputException.check(patchSize > 0, "patch_size (%s) must be positive", patchSize);
    InvalidInputException.check(imageTokenId >= 0, "image_token_index (%s) must not be negative", imageTokenId);
    InvalidInputException.check(select != null, "vision_feature_select_strategy must not be null");
    InvalidInputException.check(contextLength > 0, "max_position_embeddings (%s) must be positive", contextLength);
  }
}
