package org.visualscratchpad.samples.shapes.vlm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;

/**
 * Sizes of a LLaVA-1.5-layout model small enough to train on two CPU cores: a CLIP-style vision tower
 * (class embedding, {@code pre_layrnorm}, quick-GELU, pre-LN blocks), a two-layer GELU projector, and a
 * Llama-style language model (RMSNorm, rotate-half RoPE, SiLU-gated MLP, untied {@code lm_head}).
 * The image features are {@code hidden_states[-2]} of the tower without CLS ({@code vision_feature_layer
 * -2}, strategy {@code default}), as in llava-hf/llava-1.5-7b-hf.
 *
 * @param imageSize vision {@code image_size} in pixels
 * @param patchSize vision {@code patch_size} in pixels
 * @param visionHidden vision {@code hidden_size}
 * @param visionIntermediate vision {@code intermediate_size}
 * @param visionLayers vision {@code num_hidden_layers} (the last one is stored but unused)
 * @param visionHeads vision {@code num_attention_heads}
 * @param textHidden text {@code hidden_size}
 * @param textIntermediate text {@code intermediate_size}
 * @param textLayers text {@code num_hidden_layers}
 * @param textHeads text {@code num_attention_heads} (= {@code num_key_value_heads})
 * @param vocabSize text {@code vocab_size}
 * @param maxPositions text {@code max_position_embeddings}
 * @param imageTokenIndex id of the {@code <image>} token ({@code image_token_index})
 *     <pre>{@code
 * jshell> TinyLlavaConfig.SHIPPED.imageTokens()
 * $1 ==> 64
 * }</pre>
 */
public record TinyLlavaConfig(
    int imageSize,
    int patchSize,
    int visionHidden,
    int visionIntermediate,
    int visionLayers,
    int visionHeads,
    int textHidden,
    int textIntermediate,
    int textLayers,
    int textHeads,
    int vocabSize,
    int maxPositions,
    int imageTokenIndex) {

  public static final double LAYER_NORM_EPS = 1e-5;
  public static final double RMS_NORM_EPS = 1e-5;
  public static final double ROPE_THETA = 10000.0;

  /** The shipped ShapesWorld model's sizes. */
  public static final TinyLlavaConfig SHIPPED = new TinyLlavaConfig(
      SceneGenerator.IMAGE_SIZE, 16, 64, 256, 3, 4, 128, 256, 2, 4, ShapesVocabulary.INSTANCE.size(), 128,
      ShapesVocabulary.IMAGE);

  public TinyLlavaConfig {
    InvalidInputException.check(patchSize > 0 && imageSize % patchSize == 0,
        "image_size (%s) must be a multiple of patch_size (%s)", imageSize, patchSize);
    InvalidInputException.check(visionHidden % visionHeads == 0,
        "vision hidden_size (%s) must be a multiple of num_attention_heads (%s)", visionHidden, visionHeads);
    InvalidInputException.check(textHidden % textHeads == 0 && (textHidden / textHeads) % 2 == 0,
        "text hidden_size (%s) / num_attention_heads (%s) must be an even head_dim", textHidden, textHeads);
    InvalidInputException.check(visionLayers >= 2, "vision num_hidden_layers (%s) must be at least 2 (feature layer -2)", visionLayers);
    InvalidInputException.check(textLayers >= 1 && vocabSize > 0,
        "text num_hidden_layers (%s) and vocab_size (%s) must be positive", textLayers, vocabSize);
    InvalidInputException.check(imageTokenIndex >= 0 && imageTokenIndex < vocabSize,
        "image_token_index (%s) must be a token id below vocab_size (%s)", imageTokenIndex, vocabSize);
  }

  /** Patches per side. */
  public int gridSide() {
    return imageSize / patchSize;
  }

  /** Image features per image = {@code <image>} tokens after expansion (patches, CLS dropped). */
  public int imageTokens() {
    return gridSide() * gridSide();
  }

  public int visionHeadDim() {
    return visionHidden / visionHeads;
  }

  public int textHeadDim() {
    return textHidden / textHeads;
  }

  /** Writes {@code config.json} as transformers 4.45 {@code save_pretrained} does for {@code LlavaForConditionalGeneration}. */
  public void writeConfigJson(Path file) {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.putArray("architectures").add("LlavaForConditionalGeneration");
    root.put("ignore_index", -100);
    root.put("image_seq_length", imageTokens());
    root.put("image_token_index", imageTokenIndex);
    root.put("model_type", "llava");
    root.put("pad_token_id", ShapesVocabulary.PAD);
    root.put("projector_hidden_act", "gelu");
    ObjectNode text = root.putObject("text_config");
    common(text);
    text.put("attention_bias", false);
    text.put("attention_dropout", 0.0);
    text.put("bos_token_id", ShapesVocabulary.BOS);
    text.put("eos_token_id", ShapesVocabulary.EOS);
    text.put("head_dim", textHeadDim());
    text.put("hidden_act", "silu");
    text.put("hidden_size", textHidden);
    text.put("initializer_range", 0.02);
    text.put("intermediate_size", textIntermediate);
    text.put("max_position_embeddings", maxPositions);
    text.put("mlp_bias", false);
    text.put("model_type", "llama");
    text.put("num_attention_heads", textHeads);
    text.put("num_hidden_layers", textLayers);
    text.put("num_key_value_heads", textHeads);
    text.put("pad_token_id", ShapesVocabulary.PAD);
    text.put("pretraining_tp", 1);
    text.put("rms_norm_eps", RMS_NORM_EPS);
    text.putNull("rope_scaling");
    text.put("rope_theta", ROPE_THETA);
    text.put("tie_word_embeddings", false);
    text.put("use_cache", true);
    text.put("vocab_size", vocabSize);
    root.put("tie_word_embeddings", false);
    root.put("torch_dtype", "float32");
    root.put("transformers_version", "4.45.1");
    ObjectNode vision = root.putObject("vision_config");
    common(vision);
    vision.put("attention_dropout", 0.0);
    vision.put("hidden_act", "quick_gelu");
    vision.put("hidden_size", visionHidden);
    vision.put("image_size", imageSize);
    vision.put("initializer_factor", 1.0);
    vision.put("initializer_range", 0.02);
    vision.put("intermediate_size", visionIntermediate);
    vision.put("layer_norm_eps", LAYER_NORM_EPS);
    vision.put("model_type", "clip_vision_model");
    vision.put("num_attention_heads", visionHeads);
    vision.put("num_channels", 3);
    vision.put("num_hidden_layers", visionLayers);
    vision.put("patch_size", patchSize);
    vision.put("projection_dim", visionHidden);
    root.put("vision_feature_layer", -2);
    root.put("vision_feature_select_strategy", "default");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      json.writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new ScratchpadException("config file (" + file + ") could not be written: " + e.getMessage(), e);
    }
  }

  private static void common(ObjectNode n) {
    n.put("_name_or_path", "");
    n.put("add_cross_attention", false);
    n.putNull("architectures");
    n.putNull("bad_words_ids");
    n.putNull("begin_suppress_tokens");
    n.put("chunk_size_feed_forward", 0);
    n.putNull("cross_attention_hidden_size");
    n.putNull("decoder_start_token_id");
    n.put("diversity_penalty", 0.0);
    n.put("do_sample", false);
    n.put("early_stopping", false);
    n.put("encoder_no_repeat_ngram_size", 0);
    n.putNull("exponential_decay_length_penalty");
    n.putNull("finetuning_task");
    n.putNull("forced_bos_token_id");
    n.putNull("forced_eos_token_id");
    n.putObject("id2label").put("0", "LABEL_0").put("1", "LABEL_1");
    n.put("is_decoder", false);
    n.put("is_encoder_decoder", false);
    n.putObject("label2id").put("LABEL_0", 0).put("LABEL_1", 1);
    n.put("length_penalty", 1.0);
    n.put("max_length", 20);
    n.put("min_length", 0);
    n.put("no_repeat_ngram_size", 0);
    n.put("num_beam_groups", 1);
    n.put("num_beams", 1);
    n.put("num_return_sequences", 1);
    n.put("output_attentions", false);
    n.put("output_hidden_states", false);
    n.put("output_scores", false);
    n.putNull("prefix");
    n.putNull("problem_type");
    n.putObject("pruned_heads");
    n.put("remove_invalid_values", false);
    n.put("repetition_penalty", 1.0);
    n.put("return_dict", true);
    n.put("return_dict_in_generate", false);
    n.putNull("sep_token_id");
    n.putNull("suppress_tokens");
    n.putNull("task_specific_params");
    n.put("temperature", 1.0);
    n.put("tf_legacy_loss", false);
    n.put("tie_encoder_decoder", false);
    n.putNull("tokenizer_class");
    n.put("top_k", 50);
    n.put("top_p", 1.0);
    n.putNull("torch_dtype");
    n.put("torchscript", false);
    n.put("typical_p", 1.0);
    n.put("use_bfloat16", false);
  }
}
