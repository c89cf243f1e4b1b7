package org.visualscratchpad.torch.family.qwen2vl;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.family.VlmConfig;
import org.visualscratchpad.torch.llama.LlamaConfig;

/**
 * A Qwen2-VL checkpoint's configuration ({@code Qwen2VLConfig}, {@code model_type} {@code qwen2_vl}) with the
 * class defaults for omitted keys, plus the image processor's settings read from the {@code
 * preprocessor_config.json} beside {@code config.json} (Qwen2-VL's image token count depends on them; the
 * processor's own defaults when the file is absent).
 *
 * <p>The language model's keys sit at the top level (transformers 4.45) or under {@code text_config} (later
 * versions); absent keys take {@code Qwen2VLConfig}'s defaults (Qwen2-VL-72B's sizes, {@code rope_theta} 1e6,
 * {@code rms_norm_eps} 1e-5). It is a Qwen2 decoder: q/k/v biases, GQA, SiLU MLP, with M-RoPE: {@code
 * rope_scaling.mrope_section} (required; {@code type} {@code mrope}, or {@code default} as 4.45 rewrites it)
 * splits the rotary frequencies between the temporal, height and width position rows.
 *
 * <pre>{@code
 * jshell> var cfg = Qwen2VLConfig.read(ConfigJson.read(Path.of("Qwen2-VL-7B-Instruct")))
 * cfg ==> Qwen2VLConfig[vision 32 x 1280 -> 3584, text 28 x 3584 (28 / 4 heads), mrope [16, 24, 24], image 151655]
 * }</pre>
 *
 * @param vision the vision tower and merger
 * @param text the language model (a Qwen2 decoder: {@code attentionBias} set)
 * @param processor the image processor's settings
 * @param imageTokenIndex {@code image_token_id}
 * @param videoTokenId {@code video_token_id}, -1 if absent (videos are not supported)
 * @param visionStartTokenId {@code vision_start_token_id}
 * @param visionEndTokenId {@code vision_end_token_id}, -1 if absent
 * @param padTokenId {@code pad_token_id}, -1 if absent
 * @param mropeSection {@code rope_scaling.mrope_section}: rotary frequencies per position row (t, h, w)
 */
public record Qwen2VLConfig(Qwen2VLVisionConfig vision, LlamaConfig text, Qwen2VLProcessorConfig processor,
    int imageTokenIndex, int videoTokenId, int visionStartTokenId, int visionEndTokenId, int padTokenId,
    int[] mropeSection) implements VlmConfig {

  /** The registry key. */
  public static final String MODEL_TYPE = "qwen2_vl";

  public Qwen2VLConfig {
    InvalidInputException.check(vision != null && text != null && processor != null && mropeSection != null,
        "vision, text, processor and mrope_section must not be null");
    mropeSection = mropeSection.clone();
    MRope.axisOfFrequency(mropeSection, text.headDim() / 2);
    InvalidInputException.check(vision.outHiddenSize() == text.hiddenSize(),
        "vision_config.hidden_size (%s, the merger's output) must equal the language model's hidden_size (%s)",
        vision.outHiddenSize(), text.hiddenSize());
    InvalidInputException.check(processor.patchSize() == vision.patchSize()
            && processor.mergeSize() == vision.spatialMergeSize()
            && processor.temporalPatchSize() == vision.temporalPatchSize(),
        "preprocessor_config.json (patch %s, merge %s, temporal %s) must match vision_config (patch %s, merge %s, "
            + "temporal %s)", processor.patchSize(), processor.mergeSize(), processor.temporalPatchSize(),
        vision.patchSize(), vision.spatialMergeSize(), vision.temporalPatchSize());
    InvalidInputException.check(imageTokenIndex >= 0 && imageTokenIndex < text.vocabSize()
            && visionStartTokenId >= 0 && visionStartTokenId < text.vocabSize(),
        "image_token_id (%s) and vision_start_token_id (%s) must lie in [0, vocab_size = %s)", imageTokenIndex,
        visionStartTokenId, text.vocabSize());
  }

  /**
   * Reads a root {@code config.json} and the {@code preprocessor_config.json} beside it.
   *
   * @throws CheckpointFormatException naming the file and field of a missing or invalid value
   */
  public static Qwen2VLConfig read(ConfigJson root) {
    Path dir = root.file().toAbsolutePath().getParent();
    Path pre = dir == null ? null : dir.resolve("preprocessor_config.json");
    Qwen2VLProcessorConfig processor = pre != null && Files.isRegularFile(pre) ? Qwen2VLProcessorConfig.read(pre)
        : Qwen2VLProcessorConfig.defaults(Qwen2VLProcessorConfig.DEFAULT_MIN_PIXELS,
            Qwen2VLProcessorConfig.DEFAULT_MAX_PIXELS);
    ConfigJson t = root.has("text_config") ? root.child("text_config") : root;
    try {
      Qwen2VLVisionConfig vision = Qwen2VLVisionConfig.read(root.child("vision_config"), processor.maxPixels());
      if (t.getBoolean("use_sliding_window", false)) {
        throw t.bad("use_sliding_window", true, "false (Qwen2-VL's sliding-window attention is not supported)");
      }
      String act = t.getString("hidden_act", "silu");
      if (!act.equals("silu") && !act.equals("swish")) {
        throw t.bad("hidden_act", act, "silu (Qwen2's MLP activation)");
      }
      int hidden = t.getInt("hidden_size", 8192);
      int heads = t.getInt("num_attention_heads", 64);
      InvalidInputException.check(heads > 0 && hidden % heads == 0,
          "hidden_size (%s) must be a multiple of num_attention_heads (%s)", hidden, heads);
      LlamaConfig text = new LlamaConfig(MODEL_TYPE, hidden, t.getInt("intermediate_size", 29568),
          t.getInt("num_hidden_layers", 80), heads, t.getInt("num_key_value_heads", 8), hidden / heads,
          t.getInt("vocab_size", 152064), t.getDouble("rms_norm_eps", 1e-5), t.getDouble("rope_theta", 1e6), null,
          t.getInt("max_position_embeddings", 32768), 0, true,
          root.getBoolean("tie_word_embeddings", t.getBoolean("tie_word_embeddings", false)));
      int[] section = mropeSection(root, t);
      int image = requireId(root, t, "image_token_id");
      int start = requireId(root, t, "vision_start_token_id");
      return new Qwen2VLConfig(vision, text, processor, image, id(root, t, "video_token_id"), start,
          id(root, t, "vision_end_token_id"), id(root, t, "pad_token_id"), section);
    } catch (InvalidInputException e) {
      throw new CheckpointFormatException(root.file(), e.getMessage(), e);
    }
  }

  private static int[] mropeSection(ConfigJson root, ConfigJson t) {
    JsonNode rs = t.raw("rope_scaling");
    if (rs == null) {
      rs = root.raw("rope_scaling");
    }
    if (rs == null || !rs.isObject() || !rs.has("mrope_section")) {
      throw new CheckpointFormatException(root.file(), "field rope_scaling.mrope_section is missing: Qwen2-VL's "
          + "M-RoPE needs it (e.g. {\"type\": \"mrope\", \"mrope_section\": [16, 24, 24]}). Copy config.json from the "
          + "checkpoint.");
    }
    String type = rs.has("rope_type") ? rs.get("rope_type").asText() : rs.path("type").asText("mrope");
    if (!type.equals("mrope") && !type.equals("default")) {
      throw root.bad("rope_scaling", rs, "type mrope (or default, as transformers 4.45 rewrites it) with mrope_section");
    }
    JsonNode s = rs.get("mrope_section");
    if (!s.isArray() || s.size() != 3) {
      throw root.bad("rope_scaling.mrope_section", s, "3 integers (rotary frequencies for t, h, w)");
    }
    int[] out = new int[3];
    for (int i = 0; i < 3; i++) {
      if (!s.get(i).canConvertToInt() || !s.get(i).isIntegralNumber()) {
        throw root.bad("rope_scaling.mrope_section", s, "3 integers (rotary frequencies for t, h, w)");
      }
      out[i] = s.get(i).intValue();
    }
    return out;
  }

  private static int id(ConfigJson root, ConfigJson t, String key) {
    return root.has(key) ? root.getInt(key, -1) : t.getInt(key, -1);
  }

  private static int requireId(ConfigJson root, ConfigJson t, String key) {
    int id = id(root, t, key);
    if (id < 0) {
      throw new CheckpointFormatException(root.file(), "field " + key + " is missing. Qwen2-VL's config.json holds "
          + "it (151655 for image_token_id, 151652 for vision_start_token_id in the Qwen2-VL checkpoints).");
    }
    return id;
  }

  @Override
  public String modelType() {
    return MODEL_TYPE;
  }

  /** The merger reads the last block's output. */
  @Override
  public int featureHiddenIndex() {
    return vision.depth();
  }

  /** {@code <|image_pad|>}: the chat template's image placeholder, one per image. */
  @Override
  public String imagePlaceholder() {
    return "<|image_pad|>";
  }

  /** {@code rope_scaling.mrope_section} (a copy). */
  @Override
  public int[] mropeSection() {
    return mropeSection.clone();
  }

  /** The ids {@link MRope#ropeIndex} looks for. */
  public MRope.Tokens ropeTokens() {
    return new MRope.Tokens(imageTokenIndex, videoTokenId, visionStartTokenId, vision.spatialMergeSize());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Qwen2VLConfig c && c.vision.equals(vision) && c.text.equals(text)
        && c.processor.equals(processor) && c.imageTokenIndex == imageTokenIndex && c.videoTokenId == videoTokenId
        && c.visionStartTokenId == visionStartTokenId && c.visionEndTokenId == visionEndTokenId
        && c.padTokenId == padTokenId && Arrays.equals(c.mropeSection, mropeSection);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Objects.hash(vision, text, processor, imageTokenIndex, visionStartTokenId, padTokenId)
        + Arrays.hashCode(mropeSection);
  }

  @Override
  public String toString() {
    return "Qwen2VLConfig[vision " + vision.depth() + " x " + vision.embedDim() + " -> " + vision.outHiddenSize()
        + ", text " + text.numLayers() + " x " + text.hiddenSize() + " (" + text.numHeads() + " / "
        + text.numKeyValueHeads() + " heads), mrope " + Arrays.toString(mropeSection) + ", image " + imageTokenIndex
        + ", pixels [" + processor.minPixels() + ", " + processor.maxPixels() + "]]";
  }
}
