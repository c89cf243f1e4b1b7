package org.visualscratchpad.torch.llava;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.clip.ClipTowerConfig;
import org.visualscratchpad.torch.llama.LlamaConfig;

/**
 * A LLaVA-1.5 ({@code model_type "llava"}) or LLaVA-NeXT ({@code "llava_next"}) configuration with
 * the Hugging Face class defaults for omitted keys.
 *
 * <pre>{@code
 * jshell> LlavaConfig.read(ConfigJson.read(Path.of("llava-1.5-7b-hf")))
 * }</pre>
 *
 * @param modelType {@code llava} or {@code llava_next}
 * @param vision the CLIP vision tower
 * @param text the Llama / Mistral language model
 * @param imageTokenIndex the id of the image token in {@code input_ids}
 * @param padTokenId the pad id (-1 if none)
 * @param visionFeatureLayer {@code vision_feature_layer} (negative counts from the end of hidden_states)
 * @param keepCls {@code vision_feature_select_strategy == "full"}
 * @param projectorBias whether the projector's linears have biases
 * @param pinpoints LLaVA-NeXT's {@code image_grid_pinpoints} as [height, width] pairs (empty for llava)
 */
public record LlavaConfig(
    String modelType, ClipTowerConfig vision, LlamaConfig text, int imageTokenIndex, int padTokenId,
    int visionFeatureLayer, boolean keepCls, boolean projectorBias, List<int[]> pinpoints)
    implements org.visualscratchpad.torch.family.VlmConfig {

  public LlavaConfig {
    pinpoints = List.copyOf(pinpoints);
    int index = visionFeatureLayer < 0 ? vision.numLayers() + 1 + visionFeatureLayer : visionFeatureLayer;
    InvalidInputException.check(index >= 0 && index <= vision.numLayers(),
        "vision_feature_layer (%s) must select one of the %s hidden states of the vision tower",
        visionFeatureLayer, vision.numLayers() + 1);
  }

  /** Whether this is LLaVA-NeXT (anyres tiling). */
  public boolean isNext() {
    return modelType.equals("llava_next");
  }

  /** The {@code hidden_states} index the projector reads. */
  @Override
  public int featureHiddenIndex() {
    return visionFeatureLayer < 0 ? vision.numLayers() + 1 + visionFeatureLayer : visionFeatureLayer;
  }

  /**
   * Reads a root {@code config.json}.
   *
   * @throws org.visualscratchpad.CheckpointFormatException if {@code model_type} is not llava or
   *     llava_next, or a value is invalid
   */
  public static LlavaConfig read(ConfigJson c) {
    String type = c.getString("model_type", "");
    if (!type.equals("llava") && !type.equals("llava_next")) {
      throw c.bad("model_type", type.isEmpty() ? "missing" : type,
          "llava or llava_next (LlavaForConditionalGeneration / LlavaNextForConditionalGeneration)");
    }
    ClipTowerConfig vision;
    if (c.has("vision_config")) {
      vision = ClipTowerConfig.vision(c.child("vision_config"));
    } else {
      // LlavaConfig's default vision tower: CLIP ViT-L/14 at 336 px
      vision = new ClipTowerConfig(1024, 4096, 24, 16, 1e-5, org.visualscratchpad.torch.nn.Activation.QUICK_GELU,
          336, 14, 3, 0, 0, 0);
    }
    String mt = c.child("vision_config").getString("model_type", "clip_vision_model");
    if (!mt.equals("clip_vision_model")) {
      throw c.bad("vision_config.model_type", mt, "clip_vision_model (the only vision tower supported)");
    }
    ConfigJson textConfig = c.child("text_config");
    // LlamaConfig divides hidden_size by num_attention_heads: refuse a zero here, with the file named
    int heads = textConfig.getInt("num_attention_heads", 32);
    if (heads <= 0) {
      throw textConfig.bad("num_attention_heads", heads, "a positive integer");
    }
    LlamaConfig text = LlamaConfig.read(textConfig);
    int imageToken = c.getInt("image_token_index", 32000);
    String strategy = c.getString("vision_feature_select_strategy", "default");
    if (!strategy.equals("default") && !strategy.equals("full")) {
      throw c.bad("vision_feature_select_strategy", strategy, "default or full");
    }
    if (c.raw("vision_feature_layer") != null && c.raw("vision_feature_layer").isArray()) {
      throw c.bad("vision_feature_layer", c.raw("vision_feature_layer"), "a single layer index (lists are not supported)");
    }
    String act = c.getString("projector_hidden_act", "gelu");
    if (!act.equals("gelu")) {
      throw c.bad("projector_hidden_act", act, "gelu");
    }
    List<int[]> pins = type.equals("llava_next")
        ? c.getIntPairs("image_grid_pinpoints", List.of(new int[] {336, 672}, new int[] {672, 336},
            new int[] {672, 672}, new int[] {1008, 336}, new int[] {336, 1008}))
        : List.of();
    return new LlavaConfig(type, vision, text, imageToken, c.getInt("pad_token_id", -1),
        c.getInt("vision_feature_layer", -2), strategy.equals("full"), c.getBoolean("multimodal_projector_bias", true),
        pins);
  }
}
