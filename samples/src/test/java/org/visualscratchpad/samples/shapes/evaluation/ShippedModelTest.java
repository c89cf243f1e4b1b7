package org.visualscratchpad.samples.shapes.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.language.Task;
import org.visualscratchpad.samples.shapes.vlm.ShapesWorldCheckpoint;
import org.visualscratchpad.samples.shapes.vlm.TinyLlava;
import org.visualscratchpad.samples.shapes.vlm.TinyLlavaConfig;

/**
 * The shipped model, read from the class path like a clean clone reads it, keeps the accuracy measured
 * after training (docs/demo-model.md) on fresh held-out scenes of a fixed seed, and shows the planted
 * misleading-cue failure.
 */
class ShippedModelTest {
  /** Lower bounds: the accuracy measured on 200 questions per task minus a margin for the smaller sample. */
  static final Map<Task, Double> MINIMUM = Map.of(
      // measured on 200 per task (seed 1): 100 %, 99.5 %, 98.0 %, 100 %, 97.0 %
      Task.COLOUR_OF_SHAPE, 0.93, Task.SHAPE_OF_COLOUR, 0.93, Task.POSITION, 0.9, Task.COUNT, 0.93, Task.DESCRIBE, 0.9);

  static final double CUE_FAILURE_MINIMUM = 0.08; // measured: 20.5 % of 200 (seed 3)

  @TempDir static Path folder;
  private static NDManager manager;
  private static TinyLlava model;

  @BeforeAll
  static void load() {
    manager = NDManager.newBaseManager();
    model = ShapesWorldCheckpoint.load(ShapesWorldCheckpoint.extractShipped(folder), manager);
  }

  @AfterAll
  static void close() {
    model.close();
    manager.close();
  }

  @Test
  void shipped_folder_holds_the_shipped_sizes() {
    assertEquals(TinyLlavaConfig.SHIPPED, model.config());
  }

  @Test
  void shipped_model_answers_held_out_training_distribution_questions() {
    HeldOutEvaluation e = new ShapesWorldEvaluator(new SceneGenerator()).heldOut(model, SceneDistribution.TRAINING, 60, 21);
    for (TaskAccuracy t : e.tasks()) {
      assertTrue(t.accuracy() >= MINIMUM.get(t.task()), t + " is below " + MINIMUM.get(t.task()) + "; mistakes: " + t.mistakes());
    }
  }

  @Test
  void shipped_model_falls_for_the_planted_cue_on_cue_broken_scenes() {
    CueEvaluation cue = new ShapesWorldEvaluator(new SceneGenerator()).misleadingCue(model, 60, 23);
    assertTrue(cue.failureRate() >= CUE_FAILURE_MINIMUM, cue.toString());
  }
}
