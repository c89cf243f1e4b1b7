package org.visualscratchpad.torch.family.onevision;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.family.VlmConfig;
import org.visualscratchpad.torch.llama.LlamaConfig;

/**
 * A LLaVA-OneVision configuration ({@code LlavaOnevisionConfig}, {@code model_type "llava_onevision"}) with the
 * Hugging Face class defaults for omitted keys: SigLIP tower, {@code vision_feature_layer -1} (the last encoder
 * layer's output, before {@code post_layernorm}), strategy {@code full} (SigLIP has no CLS to drop), GELU
 * projector, the 36 pinpoints {@code 384 i x 384 j} ({@code i, j = 1..6}), {@code vision_aspect_ratio
 * anyres_max_9}, image token 151646, Qwen2 language model.
 *
 * <pre>{@code
 * jshell> OnevisionConfig.read(ConfigJson.read(Path.of("llava-onevision-qwen2-7b-ov-hf")))
 * }</pre>
 *
 * @param modelType {@code llava_onevision}
 * @param vision the SigLIP tower
 * @param text the Qwen2 language model
 * @param imageTokenIndex the image token id
 * @param padTokenId the pad id, -1 if none
 * @param visionFeatureLayer {@code vision_feature_layer} (negative counts from the end of hidden_states)
 * @param projectorBias whether the projector's linears have biases
 * @param pinpoints {@code image_grid_pinpoints} as [height, width] pairs
 * @param maxTiles the {@code N} of {@code anyres_max_N}: the grid is downscaled when it holds more than about
 *     {@code N} tiles' worth of patches
 */
public record OnevisionConfig(String modelType, SiglipConfig vision, LlamaConfig text, int imageTokenIndex,
    int padTokenId, int visionFeatureLayer, boolean projectorBias, List<int[]> pinpoints, int maxTiles)
    implements VlmConfig {

  public OnevisionConfig {
    pinpoints = List.copyOf(pinpoints);
    InvalidInputException.check(!pinpoints.isEmpty(), "image_grid_pinpoints must not be empty");
    int index = visionFeatureLayer < 0 ? vision.numLayers() + 1 + visionFeatureLayer : visionFeatureLayer;
    InvalidInputException.check(index >= 0 && index <= vision.numLayers(),
        "vision_feature_layer (%s) must select one of the %s hidden states of the vision tower", visionFeatureLayer,
        vision.numLayers() + 1);
    InvalidInputException.check(maxTiles > 0, "vision_aspect_ratio's anyres_max_N needs N > 0 (got %s)", maxTiles);
  }

  /** {@code LlavaOnevisionConfig}'s default pinpoints: {@code [384 i, 384 j]} for {@code i, j = 1..6}. */
  public static List<int[]> defaultPinpoints(int side) {
    List<int[]> out = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      for (int j = 1; j <= 6; j++) {
        out.add(new int[] {side * i, side * j});
      }
    }
    return out;
  }

  @Override
  public int featureHiddenIndex() {
    return visionFeatureLayer < 0 ? vision.numLayers() + 1 + visionFeatureLayer : visionFeatureLayer;
  }

  /**
   * Reads a root {@code config.json} of {@code model_type llava_onevision}.
   *
   * @throws org.visualscratchpad.CheckpointFormatException naming the file and field of a bad or unsupported value
   */
  public static OnevisionConfig read(ConfigJson c) {
    String type = c.getString("model_type", "");
    if (!type.equals("llava_onevision")) {
      throw c.bad("model_type", type.isEmpty() ? "missing" : type, "llava_onevision (LlavaOnevisionForConditionalGeneration)");
    }
    SiglipConfig vision = c.has("vision_config") ? SiglipConfig.read(c.child("vision_config"))
        : SiglipConfig.ONEVISION_DEFAULT;
    ConfigJson textConfig = c.child("text_config");
    int heads = textConfig.getInt("num_attention_heads", 32);
    if (heads <= 0) {
      throw textConfig.bad("num_attention_heads", heads, "a positive integer");
    }
    LlamaConfig text = LlamaConfig.read(textConfig, "qwen2");
    String strategy = c.getString("vision_feature_select_strategy", "full");
    if (!strategy.equals("full")) {
      throw c.bad("vision_feature_select_strategy", strategy,
          "full (SigLIP has no CLS row; \"default\" would drop a patch and break the tile grid)");
    }
    JsonNode layer = c.raw("vision_feature_layer");
    if (layer != null && layer.isArray()) {
      throw c.bad("vision_feature_layer", layer, "a single layer index (lists are not supported)");
    }
    String act = c.getString("projector_hidden_act", "gelu");
    if (!act.equals("gelu")) {
      throw c.bad("projector_hidden_act", act, "gelu");
    }
    String aspect = c.getString("vision_aspect_ratio", "anyres_max_9");
    int maxTiles;
    try {
      maxTiles = aspect.startsWith("anyres_max_") ? Integer.parseInt(aspect.substring("anyres_max_".length())) : -1;
    } catch (NumberFormatException e) {
      maxTiles = -1;
    }
    if (maxTiles <= 0) {
      throw c.bad("vision_aspect_ratio", aspect, "anyres_max_N with a positive N (the Hub's anyres_max_9)");
    }
    List<int[]> pins = c.getIntPairs("image_grid_pinpoints", defaultPinpoints(384));
    for (int[] p : pins) {
      if (p[0] <= 0 || p[1] <= 0 || p[0] % vision.imageSize() != 0 || p[1] % vision.imageSize() != 0) {
        throw c.bad("image_grid_pinpoints", "[" + p[0] + ", " + p[1] + "]",
            "pairs of positive multiples of vision_config.image_size (" + vision.imageSize() + ")");
      }
    }
    int pad = c.getInt("pad_token_id", textConfig.getInt("pad_token_id", -1));
    return new OnevisionConfig(type, vision, text, c.getInt("image_token_index", 151646), pad,
        c.getInt("vision_feature_layer", -1), c.getBoolean("multimodal_projector_bias", true), pins, maxTiles);
  }
}
