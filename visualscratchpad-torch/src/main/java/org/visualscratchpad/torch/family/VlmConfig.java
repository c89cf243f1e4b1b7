package org.visualscratchpad.torch.family;

import org.visualscratchpad.torch.llama.LlamaConfig;

/**
 * A vision-language model's configuration as every family reads it from {@code config.json} (with the Hugging
 * Face class defaults for omitted keys): its vision tower, its language model and how images enter the prompt.
 * A family's own record adds what only it needs (LLaVA-NeXT's pinpoints, OneVision's {@code vision_aspect_ratio}).
 */
public interface VlmConfig {
  /** {@code model_type}: the registry key of the family. */
  String modelType();

  /** The vision tower. */
  VisionTowerConfig vision();

  /** The language model (Llama, Mistral or Qwen2 layout). */
  LlamaConfig text();

  /** The id of the image token in {@code input_ids}. */
  int imageTokenIndex();

  /** The pad id, -1 if none. */
  int padTokenId();

  /** The {@code hidden_states} index of the vision tower the projector reads. */
  int featureHiddenIndex();

  /**
   * The image placeholder of the prompt text, one per image, that the tokenizer maps to {@link
   * #imageTokenIndex()} and the input pipeline expands to the image's tokens: {@code <image>} for the LLaVA
   * families; a family whose chat template writes another one (Qwen2-VL's {@code <|image_pad|>}) says so.
   */
  default String imagePlaceholder() {
    return "<image>";
  }
}
