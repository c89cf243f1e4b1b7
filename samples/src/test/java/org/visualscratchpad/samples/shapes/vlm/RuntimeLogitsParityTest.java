package org.visualscratchpad.samples.shapes.vlm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.language.ChatPrompt;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;
import org.visualscratchpad.samples.shapes.language.Task;
import org.visualscratchpad.torch.llava.ImageInput;
import org.visualscratchpad.torch.llava.LlavaModel;
import org.visualscratchpad.torch.trace.DenseTensor;

/**
 * The project's LLaVA runtime (visualscratchpad-torch {@code LlavaModel}), loading the shipped ShapesWorld
 * folder like any Hub checkpoint, reproduces the trainer's logits: the proof that the folder is in the
 * exact Hugging Face layout.
 */
class RuntimeLogitsParityTest {
  @TempDir Path folder;

  @Test
  void runtime_reproduces_the_trainers_logits_on_the_shipped_folder() {
    ShapesWorldCheckpoint.extractShipped(folder);
    SceneGenerator generator = new SceneGenerator();
    try (NDManager manager = NDManager.newBaseManager();
        TinyLlava trainer = ShapesWorldCheckpoint.load(folder, manager);
        LlavaModel runtime = LlavaModel.load(folder)) {
      TinyLlavaConfig c = trainer.config();
      for (long seed = 0; seed < 4; seed++) {
        Scene scene = generator.generate(seed, SceneDistribution.TRAINING);
        Task task = Task.values()[(int) (seed % Task.values().length)];
        int[] ids = ShapesVocabulary.INSTANCE.encode(
            ChatPrompt.expandImageTokens(task.ask(scene, new SplittableRandom(seed)).prompt(), c.imageTokens()));
        float[] pixels = ClipPixels.normalise(scene.image());
        float[] expected;
        try (NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          NDArray px = manager.create(pixels, new Shape(1, 3, c.imageSize(), c.imageSize()));
          expected = trainer.logits(trainer.imageFeatures(px), new int[][] {ids}).toFloatArray();
        }
        long[][] longIds = {java.util.Arrays.stream(ids).asLongStream().toArray()};
        ImageInput image = new ImageInput(DenseTensor.of(new long[] {1, 3, c.imageSize(), c.imageSize()}, pixels),
            c.imageSize(), c.imageSize());
        DenseTensor logits = runtime.forwardTrace(longIds, null, null, List.of(image), false).get("logits").orElseThrow();
        float[] actual = logits.toArray();
        assertEquals(expected.length, actual.length, "logits size");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
          worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= 1e-4, "seed " + seed + ": max abs logit difference " + worst);
      }
    }
  }
}
