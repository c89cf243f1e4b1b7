package org.visualscratchpad.samples.shapes.vlm;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.samples.shapes.language.ChatPrompt;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;

/**
 * A ShapesWorld model folder in the Hugging Face layout of {@code llava-hf/llava-1.5-7b-hf}:
 * {@code config.json}, {@code model.safetensors} (F32, Hub key names), {@code generation_config.json},
 * {@code preprocessor_config.json} (CLIPImageProcessor), {@code processor_config.json},
 * {@code tokenizer.json}, {@code tokenizer_config.json} (with the chat template),
 * {@code special_tokens_map.json} and {@code chat_template.json}.
 *
 * <pre>{@code
 * jshell> ShapesWorldCheckpoint.write(model, Path.of("out/shapesworld"));
 * jshell> var copy = ShapesWorldCheckpoint.load(Path.of("out/shapesworld"), NDManager.newBaseManager());
 * }</pre>
 */
public final class ShapesWorldCheckpoint {
  /** Class-path folder of the shipped model in the samples jar. */
  public static final String RESOURCE_FOLDER = "shapesworld/model/";

  /** Files of a model folder, in the order they are written. */
  public static final List<String> FILES = List.of("config.json", "model.safetensors", "generation_config.json",
      "preprocessor_config.json", "processor_config.json", "tokenizer.json", "tokenizer_config.json",
      "special_tokens_map.json", "chat_template.json");

  private ShapesWorldCheckpoint() {}

  /** Writes every file of the folder (creating it). */
  public static void write(TinyLlava model, Path folder) {
    TinyLlavaConfig c = model.config();
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try {
      Files.createDirectories(folder);
      c.writeConfigJson(folder.resolve("config.json"));
      model.save(folder.resolve("model.safetensors"));
      ObjectNode gen = json.createObjectNode();
      gen.put("_from_model_config", true);
      gen.put("bos_token_id", ShapesVocabulary.BOS);
      gen.put("eos_token_id", ShapesVocabulary.EOS);
      gen.put("pad_token_id", ShapesVocabulary.PAD);
      gen.put("transformers_version", "4.45.1");
      json.writeValue(folder.resolve("generation_config.json").toFile(), gen);
      ObjectNode pre = json.createObjectNode();
      pre.putObject("crop_size").put("height", c.imageSize()).put("width", c.imageSize());
      pre.put("do_center_crop", true);
      pre.put("do_convert_rgb", true);
      pre.put("do_normalize", true);
      pre.put("do_rescale", true);
      pre.put("do_resize", true);
      pre.putArray("image_mean").add(ClipPixels.MEAN[0]).add(ClipPixels.MEAN[1]).add(ClipPixels.MEAN[2]);
      pre.put("image_processor_type", "CLIPImageProcessor");
      pre.putArray("image_std").add(ClipPixels.STD[0]).add(ClipPixels.STD[1]).add(ClipPixels.STD[2]);
      pre.put("processor_class", "LlavaProcessor");
      pre.put("resample", 3);
      pre.put("rescale_factor", 1.0 / 255.0);
      pre.putObject("size").put("shortest_edge", c.imageSize());
      json.writeValue(folder.resolve("preprocessor_config.json").toFile(), pre);
      ObjectNode proc = json.createObjectNode();
      proc.put("image_token", ChatPrompt.IMAGE_TOKEN);
      proc.put("num_additional_image_tokens", 1);
      proc.put("patch_size", c.patchSize());
      proc.put("processor_class", "LlavaProcessor");
      proc.put("vision_feature_select_strategy", "default");
      json.writeValue(folder.resolve("processor_config.json").toFile(), proc);
      ShapesVocabulary.INSTANCE.writeTokenizerFiles(folder);
    } catch (IOException e) {
      throw new ScratchpadException("model folder (" + folder + ") could not be written: " + e.getMessage(), e);
    }
  }

  /**
   * The sizes recorded in a folder's {@code config.json}.
   *
   * @throws CheckpointFormatException if the file is missing, not a LLaVA config, or lacks a size
   */
  public static TinyLlavaConfig readConfig(Path folder) {
    Path file = folder.resolve("config.json");
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "could not be read as JSON: " + e.getMessage() + ". Is this a model folder?", e);
    }
    if (!"llava".equals(root.path("model_type").asText())) {
      throw new CheckpointFormatException(file, "model_type (" + root.path("model_type").asText() + ") must be llava");
    }
    JsonNode v = root.path("vision_config");
    JsonNode t = root.path("text_config");
    return new TinyLlavaConfig(
        required(file, v, "image_size"), required(file, v, "patch_size"), required(file, v, "hidden_size"),
        required(file, v, "intermediate_size"), required(file, v, "num_hidden_layers"), required(file, v, "num_attention_heads"),
        required(file, t, "hidden_size"), required(file, t, "intermediate_size"), required(file, t, "num_hidden_layers"),
        required(file, t, "num_attention_heads"), required(file, t, "vocab_size"), required(file, t, "max_position_embeddings"),
        required(file, root, "image_token_index"));
  }

  private static int required(Path file, JsonNode node, String key) {
    if (!node.has(key) || !node.get(key).canConvertToInt()) {
      throw new CheckpointFormatException(file, "field " + key + " is missing or not an integer. Write it into the config.");
    }
    return node.get(key).asInt();
  }

  /** The model in {@code folder}. */
  public static TinyLlava load(Path folder, NDManager manager) {
    return TinyLlava.load(readConfig(folder), folder.resolve("model.safetensors"), manager);
  }

  /**
   * Copies the shipped model folder out of the class path into {@code folder} (so that loaders that
   * take a directory can read it) and returns {@code folder}.
   *
   * @throws ScratchpadException if the samples jar does not hold the shipped model
   */
  public static Path extractShipped(Path folder) {
    try {
      Files.createDirectories(folder);
      for (String name : FILES) {
        try (InputStream in = ShapesWorldCheckpoint.class.getClassLoader().getResourceAsStream(RESOURCE_FOLDER + name)) {
          if (in == null) {
            throw new ScratchpadException("the shipped ShapesWorld model file " + RESOURCE_FOLDER + name
                + " is not on the class path. Rebuild the samples module or train one with `vsp demo train`.");
          }
          Files.copy(in, folder.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return folder;
    } catch (IOException e) {
      throw new ScratchpadException("the shipped model could not be copied to " + folder + ": " + e.getMessage(), e);
    }
  }
}
