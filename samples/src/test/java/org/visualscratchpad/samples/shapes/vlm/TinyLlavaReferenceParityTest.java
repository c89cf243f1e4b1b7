package org.visualscratchpad.samples.shapes.vlm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.safetensors.SafetensorsFile;

/**
 * The trainer's forward pass equals Hugging Face transformers' LlavaForConditionalGeneration on the
 * shared tiny reference checkpoint (fixtures/hf-reference/llava, computed by transformers 4.45.1):
 * vision hidden states, projected image features and language-model logits. This is what makes the
 * trained weights a real LLaVA checkpoint and not just a file with the right names.
 */
class TinyLlavaReferenceParityTest {
  private static Path fixture;
  private static NDManager manager;
  private static TinyLlava model;
  private static SafetensorsFile inputs;
  private static SafetensorsFile outputs;

  @BeforeAll
  static void load() {
    fixture = Path.of(System.getProperty("vsp.shared.dir", "../../shared"), "fixtures", "hf-reference", "llava");
    assertTrue(Files.isDirectory(fixture), "fixture folder " + fixture.toAbsolutePath() + " must exist (set -Dvsp.shared.dir)");
    manager = NDManager.newBaseManager();
    model = ShapesWorldCheckpoint.load(fixture, manager);
    inputs = SafetensorsFile.open(fixture.resolve("inputs.safetensors"));
    outputs = SafetensorsFile.open(fixture.resolve("outputs.safetensors"));
  }

  @AfterAll
  static void close() {
    model.close();
    manager.close();
    inputs.close();
    outputs.close();
  }

  private static NDArray pixels() {
    return manager.create(inputs.floats("pixel_values"), new Shape(2, 3, 28, 28));
  }

  private static void assertClose(float[] expected, float[] actual, double atol, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(worst <= atol, what + ": max abs difference " + worst + " exceeds " + atol);
  }

  @Test
  void config_json_of_the_reference_checkpoint_reads_into_the_same_sizes() {
    TinyLlavaConfig c = model.config();
    assertEquals(28, c.imageSize());
    assertEquals(7, c.patchSize());
    assertEquals(16, c.imageTokens());
    assertEquals(195, c.imageTokenIndex());
    assertEquals(200, c.vocabSize());
  }

  @Test
  void vision_hidden_states_match_transformers() {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray pixels = pixels();
      for (int index = 0; index <= model.config().visionLayers(); index++) {
        float[] actual = model.visionHiddenState(pixels, index).toFloatArray();
        assertClose(outputs.floats("vision_tower.hidden_states." + index), actual, 1e-5, "hidden_states[" + index + "]");
      }
    }
  }

  @Test
  void projected_image_features_match_transformers() {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      float[] actual = model.imageFeatures(pixels()).toFloatArray();
      assertClose(outputs.floats("batch.image_features"), actual, 1e-5, "image features");
    }
  }

  @Test
  void language_model_logits_match_transformers() {
    long[] ids = inputs.longs("single.input_ids");
    int[][] input = new int[1][ids.length];
    for (int i = 0; i < ids.length; i++) {
      input[0][i] = (int) ids[i];
    }
    float[] singleFeatures = outputs.floats("single.image_features");
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      // find which reference image the single case used by its projected features, then run end to end
      NDArray features = model.imageFeatures(pixels());
      int image = -1;
      for (int candidate = 0; candidate < 2; candidate++) {
        float[] f = features.get(new NDIndex(candidate + ":" + (candidate + 1))).toFloatArray();
        double worst = 0;
        for (int i = 0; i < f.length; i++) {
          worst = Math.max(worst, Math.abs(f[i] - singleFeatures[i]));
        }
        if (worst < 1e-5) {
          image = candidate;
        }
      }
      assertTrue(image >= 0, "the single case's image features match neither reference image");
      NDArray logits = model.logits(features.get(new NDIndex(image + ":" + (image + 1))), input);
      assertClose(outputs.floats("single.logits"), logits.toFloatArray(), 1e-4, "logits");
    }
  }
}
