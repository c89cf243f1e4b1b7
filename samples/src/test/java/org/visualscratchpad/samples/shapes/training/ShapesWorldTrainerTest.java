package org.visualscratchpad.samples.shapes.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;
import org.visualscratchpad.samples.shapes.vlm.TinyLlava;
import org.visualscratchpad.samples.shapes.vlm.TinyLlavaConfig;

class ShapesWorldTrainerTest {
  static final TinyLlavaConfig SMALL = new TinyLlavaConfig(64, 16, 16, 32, 2, 2, 32, 64, 1, 2,
      ShapesVocabulary.INSTANCE.size(), 128, ShapesVocabulary.IMAGE);

  @Test
  void a_few_adam_steps_lower_the_answer_loss() {
    TrainingOptions options = new TrainingOptions(40, 4, 5e-3, 4, 1.0, 5L);
    try (NDManager manager = NDManager.newBaseManager();
        TinyLlava model = TinyLlava.initialise(SMALL, options.seed(), manager)) {
      double[] first = {Double.NaN};
      double[] last = {Double.NaN};
      TrainingReport report = new ShapesWorldTrainer(new SceneGenerator()).train(model, options, (step, loss, lr, elapsed) -> {
        if (step < 5) {
          first[0] = Double.isNaN(first[0]) ? loss / 5 : first[0] + loss / 5;
        }
        if (step >= options.steps() - 5) {
          last[0] = Double.isNaN(last[0]) ? loss / 5 : last[0] + loss / 5;
        }
      });
      assertTrue(last[0] < 0.6 * first[0], "mean loss of the last 5 steps (" + last[0] + ") must fall well below the first 5 (" + first[0] + ")");
      assertEquals(40, report.options().steps());
      assertEquals(model.parameterCount(), report.parameters());
      assertTrue(report.wallSeconds() > 0 && report.lossCurve().size() == 1, report.toString()); // one block: fewer steps than the 50 per curve entry
    }
  }

  @Test
  void training_examples_are_reproducible_from_the_seed() {
    ShapesWorldTrainer trainer = new ShapesWorldTrainer(new SceneGenerator());
    assertEquals(trainer.example(7, 123), trainer.example(7, 123));
    assertTrue(!trainer.example(7, 123).equals(trainer.example(8, 123)));
  }

  @Test
  void learning_rate_warms_up_then_decays_to_a_tenth() {
    TrainingOptions o = new TrainingOptions(100, 4, 1e-3, 10, 1.0, 1);
    assertEquals(1e-4, o.learningRateAt(0), 1e-12);
    assertEquals(1e-3, o.learningRateAt(9), 1e-12);
    assertEquals(1e-3, o.learningRateAt(10), 1e-12);
    assertEquals(1e-4, o.learningRateAt(100), 1e-9);
  }
}
