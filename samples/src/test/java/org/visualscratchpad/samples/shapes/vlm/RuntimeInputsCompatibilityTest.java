package org.visualscratchpad.samples.shapes.vlm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.language.ChatPrompt;
import org.visualscratchpad.samples.shapes.language.QuestionAnswer;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;
import org.visualscratchpad.samples.shapes.language.Task;
import org.visualscratchpad.torch.input.InputPipeline;
import org.visualscratchpad.torch.input.InputSpec;
import org.visualscratchpad.torch.input.VlmInputs;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.torch.input.layout.FeatureSelect;
import org.visualscratchpad.torch.input.prompt.ChatMessage;

/**
 * The project's input pipeline for real checkpoints (visualscratchpad-torch: CLIPImageProcessor from
 * preprocessor_config.json, the chat template from tokenizer_config.json, tokenizer.json through DJL)
 * reads a written ShapesWorld folder and produces exactly the pixel values and prompt ids the trainer uses.
 */
class RuntimeInputsCompatibilityTest {
  @TempDir Path folder;

  @Test
  void input_pipeline_gives_the_trainers_pixels_and_prompt_ids() {
    TinyLlavaConfig c = TinyLlavaConfig.SHIPPED;
    try (NDManager manager = NDManager.newBaseManager();
        TinyLlava model = TinyLlava.initialise(c, 1, manager)) {
      ShapesWorldCheckpoint.write(model, folder);
    }
    SceneGenerator generator = new SceneGenerator();
    InputSpec spec = new InputSpec(c.patchSize(), c.imageTokenIndex(), FeatureSelect.DEFAULT, c.maxPositions());
    try (InputPipeline pipeline = InputPipeline.open(folder, spec)) {
      for (long seed = 0; seed < 10; seed++) {
        Scene scene = generator.generate(seed, SceneDistribution.TRAINING);
        for (Task task : Task.values()) {
          QuestionAnswer qa = task.ask(scene, new SplittableRandom(seed));
          RgbImage image = RgbImage.of(scene.image().height(), scene.image().width(), scene.image().toBytes());
          VlmInputs in = pipeline.prepare(List.of(image), List.of(ChatMessage.userWithImage(qa.question())), 24);
          int[] expected = ShapesVocabulary.INSTANCE.encode(ChatPrompt.expandImageTokens(qa.prompt(), c.imageTokens()));
          int[] actual = Arrays.stream(in.prompt().ids().toArray()).mapToInt(id -> (int) id).toArray();
          assertArrayEquals(expected, actual, "seed " + seed + " " + qa);
          assertEquals(c.imageTokens(), in.prompt().imageTokenCount());
          assertArrayEquals(ClipPixels.normalise(scene.image()), in.images().get(0).toArray(), "seed " + seed);
        }
      }
    }
  }
}
