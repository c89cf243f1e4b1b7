package org.visualscratchpad.samples.shapes.vlm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.samples.shapes.RgbImage;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.language.ChatPrompt;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;
import org.visualscratchpad.samples.shapes.language.Task;

class TinyLlavaTest {
  /** Small enough for a unit test, same code path as the shipped sizes. */
  static final TinyLlavaConfig SMALL = new TinyLlavaConfig(64, 16, 16, 32, 2, 2, 32, 64, 1, 2,
      ShapesVocabulary.INSTANCE.size(), 128, ShapesVocabulary.IMAGE);

  @TempDir Path folder;

  private static int[][] prompts(List<Scene> scenes, int imageTokens) {
    int[][] out = new int[scenes.size()][];
    for (int i = 0; i < scenes.size(); i++) {
      out[i] = ShapesVocabulary.INSTANCE.encode(ChatPrompt.expandImageTokens(
          Task.COLOUR_OF_SHAPE.ask(scenes.get(i), new SplittableRandom(i)).prompt(), imageTokens));
    }
    return out;
  }

  @Test
  void saved_folder_has_the_hub_layout_and_loads_back_to_identical_logits() throws Exception {
    SceneGenerator generator = new SceneGenerator();
    List<Scene> scenes = List.of(generator.generate(1, SceneDistribution.TRAINING), generator.generate(2, SceneDistribution.TRAINING));
    List<RgbImage> images = new ArrayList<>();
    scenes.forEach(s -> images.add(s.image()));
    try (NDManager manager = NDManager.newBaseManager();
        TinyLlava model = TinyLlava.initialise(SMALL, 3, manager)) {
      ShapesWorldCheckpoint.write(model, folder);
      for (String file : ShapesWorldCheckpoint.FILES) {
        assertTrue(Files.isRegularFile(folder.resolve(file)), file);
      }
      JsonNode config = new ObjectMapper().readTree(folder.resolve("config.json").toFile());
      assertEquals("llava", config.get("model_type").asText());
      assertEquals(-2, config.get("vision_feature_layer").asInt());
      assertEquals("default", config.get("vision_feature_select_strategy").asText());
      assertEquals("gelu", config.get("projector_hidden_act").asText());
      assertEquals("quick_gelu", config.get("vision_config").get("hidden_act").asText());
      assertEquals("llama", config.get("text_config").get("model_type").asText());
      assertEquals(ShapesVocabulary.IMAGE, config.get("image_token_index").asInt());
      assertEquals(SMALL, ShapesWorldCheckpoint.readConfig(folder));
      JsonNode pre = new ObjectMapper().readTree(folder.resolve("preprocessor_config.json").toFile());
      assertEquals(64, pre.get("crop_size").get("height").asInt());
      assertEquals("CLIPImageProcessor", pre.get("image_processor_type").asText());
      assertTrue(new ObjectMapper().readTree(folder.resolve("tokenizer_config.json").toFile()).get("chat_template").asText().contains("ASSISTANT:"));

      try (SafetensorsFile st = SafetensorsFile.open(folder.resolve("model.safetensors"))) {
        assertEquals("pt", st.metadata().get("format"));
        assertEquals(TinyLlava.weightShapes(SMALL).keySet(), new java.util.HashSet<>(st.names()));
        assertTrue(st.contains("vision_tower.vision_model.pre_layrnorm.weight"));
        assertTrue(st.contains("multi_modal_projector.linear_2.bias"));
        assertTrue(st.contains("language_model.model.layers.0.mlp.gate_proj.weight"));
        assertTrue(st.contains("language_model.lm_head.weight"));
      }
      try (TinyLlava copy = ShapesWorldCheckpoint.load(folder, manager);
          NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        NDArray pixels = manager.create(ClipPixels.normalise(images), new Shape(2, 3, 64, 64));
        int[][] ids = prompts(scenes, SMALL.imageTokens());
        float[] a = model.logits(model.imageFeatures(pixels), ids).toFloatArray();
        float[] b = copy.logits(copy.imageFeatures(pixels), ids).toFloatArray();
        assertArrayEquals(a, b);
      }
    }
  }

  @Test
  void greedy_answer_starts_with_the_argmax_of_the_last_prompt_logits() {
    SceneGenerator generator = new SceneGenerator();
    List<Scene> scenes = List.of(generator.generate(5, SceneDistribution.UNIFORM), generator.generate(6, SceneDistribution.UNIFORM));
    List<RgbImage> images = List.of(scenes.get(0).image(), scenes.get(1).image());
    try (NDManager manager = NDManager.newBaseManager();
        TinyLlava model = TinyLlava.initialise(SMALL, 11, manager);
        NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      int[][] ids = prompts(scenes, SMALL.imageTokens());
      int[][] answers = model.greedy(images, ids, 3);
      NDArray logits = model.logits(model.imageFeatures(manager.create(ClipPixels.normalise(images), new Shape(2, 3, 64, 64))), ids);
      int last = ids[0].length - 1;
      for (int r = 0; r < 2; r++) {
        int argmax = (int) logits.get(new NDIndex(r + ", " + last + ", :")).argMax().getLong();
        if (argmax == ShapesVocabulary.EOS) {
          assertEquals(0, answers[r].length);
        } else {
          assertEquals(argmax, answers[r][0], "row " + r);
        }
      }
    }
  }

  @Test
  void prompts_without_the_expanded_image_block_are_rejected_with_a_hint() {
    try (NDManager manager = NDManager.newBaseManager();
        TinyLlava model = TinyLlava.initialise(SMALL, 1, manager);
        NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray features = manager.zeros(new Shape(1, SMALL.imageTokens(), SMALL.textHidden()));
      int[][] unexpanded = {ShapesVocabulary.INSTANCE.encode("USER: <image>\nhow many objects are there ? ASSISTANT:")};
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> model.logits(features, unexpanded));
      assertTrue(e.getMessage().contains("expandImageTokens"), e.getMessage());
    }
  }

  @Test
  void loading_a_checkpoint_of_other_sizes_names_the_tensor_and_both_shapes() {
    try (NDManager manager = NDManager.newBaseManager();
        TinyLlava model = TinyLlava.initialise(SMALL, 1, manager)) {
      model.save(folder.resolve("model.safetensors"));
      TinyLlavaConfig wider = new TinyLlavaConfig(64, 16, 32, 32, 2, 2, 32, 64, 1, 2,
          ShapesVocabulary.INSTANCE.size(), 128, ShapesVocabulary.IMAGE);
      CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
          () -> TinyLlava.load(wider, folder.resolve("model.safetensors"), manager));
      assertTrue(e.getMessage().contains("class_embedding") && e.getMessage().contains("[16]") && e.getMessage().contains("[32]"),
          e.getMessage());
    }
  }
}
