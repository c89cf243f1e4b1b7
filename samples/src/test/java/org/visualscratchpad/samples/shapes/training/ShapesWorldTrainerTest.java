package org.visualscratchpad.samples.shapes.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.samples.shapes.Colour;
import org.visualscratchpad.samples.shapes.ObjectSize;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.SceneObject;
import org.visualscratchpad.samples.shapes.ShapeKind;
import org.visualscratchpad.samples.shapes.vlm.ClipPixels;
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

  @Test
  void patch_labels_name_the_object_on_each_patch_and_background_elsewhere() {
    SceneGenerator gen = new SceneGenerator();
    for (long seed = 0; seed < 30; seed++) {
      Scene scene = gen.generate(seed, SceneDistribution.UNIFORM);
      int[][] labels = ShapesWorldTrainer.patchLabels(scene, 4, 16);
      assertEquals(4, labels.length);
      for (SceneObject o : scene.objects()) {
        if (o.size() != ObjectSize.BIG) {
          continue; // a small object may cover less than 15 % of every patch it touches
        }
        int patch = (o.centerY() / 16) * 4 + o.centerX() / 16;
        assertEquals(o.shape().ordinal(), labels[0][patch], scene + " " + o);
        assertEquals(o.colour().ordinal(), labels[1][patch]);
        assertEquals(ObjectSize.BIG.ordinal(), labels[2][patch]);
        assertEquals(o.quadrant().ordinal(), labels[3][patch]);
      }
      for (int p = 0; p < 16; p++) {
        int x0 = (p % 4) * 16;
        int y0 = (p / 4) * 16;
        boolean touched = scene.objects().stream().anyMatch(o -> o.coveredPixels(x0, y0, 16) > 0);
        if (!touched) {
          assertEquals(ShapeKind.values().length, labels[0][p], "background shape class");
          assertEquals(Colour.values().length, labels[1][p], "background colour class");
        }
      }
    }
  }

  @Test
  void vision_pre_training_makes_the_shape_of_a_patch_readable_from_the_projector_input() {
    TinyLlavaConfig config = new TinyLlavaConfig(64, 16, 64, 256, 3, 4, 32, 64, 1, 2,
        ShapesVocabulary.INSTANCE.size(), 128, ShapesVocabulary.IMAGE);
    TrainingOptions options = new TrainingOptions(1, 16, 3e-3, 1, 1.0, 3L, 1.0, 800);
    SceneGenerator gen = new SceneGenerator();
    try (NDManager manager = NDManager.newBaseManager();
        TinyLlava model = TinyLlava.initialise(config, options.seed(), manager)) {
      double before = shapeProbe(model, gen, manager);
      double[] aux = new double[options.visionPretrainSteps()];
      new ShapesWorldTrainer(gen).train(model, options, new ShapesWorldTrainer.Listener() {
        @Override
        public void onStep(int step, double loss, double lr, double elapsed) {}

        @Override
        public void onPretrainStep(int step, double loss, double lr, double elapsed) {
          aux[step] = loss;
        }
      });
      double after = shapeProbe(model, gen, manager);
      double first = java.util.Arrays.stream(aux, 0, 20).average().orElseThrow();
      double last = java.util.Arrays.stream(aux, aux.length - 20, aux.length).average().orElseThrow();
      assertTrue(last < 0.5 * first, "auxiliary loss " + first + " -> " + last);
      // nearest-class-mean probe of the object's shape on object patches, fitted and tested on separate scenes
      assertTrue(before < 0.45, "an untrained tower should not separate shapes: " + before);
      assertTrue(after > before + 0.15, "shape probe accuracy " + before + " -> " + after);
    }
  }

  /** Held-out accuracy of a nearest-class-mean shape classifier on the patches of the projector's input layer. */
  private static double shapeProbe(TinyLlava model, SceneGenerator gen, NDManager manager) {
    var c = model.config();
    List<float[]> features = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    List<Integer> patches = new ArrayList<>();
    double[][] positionMean = new double[c.imageTokens()][c.visionHidden()];
    int scenes = 240;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      for (long seed = 0; seed < scenes; seed++) {
        Scene s = gen.generate(40_000 + seed, SceneDistribution.UNIFORM);
        NDArray h = model.visionHiddenState(manager.create(ClipPixels.normalise(s.image()),
            new Shape(1, 3, c.imageSize(), c.imageSize())), c.visionLayers() - 1);
        float[] f = h.toFloatArray();
        int d = c.visionHidden();
        int[] shape = ShapesWorldTrainer.patchLabels(s, c.gridSide(), c.patchSize())[0];
        for (int p = 0; p < c.imageTokens(); p++) {
          for (int k = 0; k < d; k++) {
            positionMean[p][k] += f[(p + 1) * d + k] / scenes;
          }
          if (shape[p] < ShapeKind.values().length) {
            features.add(java.util.Arrays.copyOfRange(f, (p + 1) * d, (p + 2) * d));
            labels.add(shape[p]);
            patches.add(p);
          }
        }
      }
    }
    // the position embedding gives every patch index its own offset: compare patches without it
    for (int i = 0; i < features.size(); i++) {
      for (int k = 0; k < features.get(i).length; k++) {
        features.get(i)[k] -= (float) positionMean[patches.get(i)][k];
      }
    }
    int half = features.size() / 2;
    int d = features.get(0).length;
    double[][] mean = new double[ShapeKind.values().length][d];
    int[] count = new int[ShapeKind.values().length];
    for (int i = 0; i < half; i++) {
      count[labels.get(i)]++;
      for (int k = 0; k < d; k++) {
        mean[labels.get(i)][k] += features.get(i)[k];
      }
    }
    for (int q = 0; q < mean.length; q++) {
      for (int k = 0; k < d; k++) {
        mean[q][k] /= Math.max(1, count[q]);
      }
    }
    int correct = 0;
    for (int i = half; i < features.size(); i++) {
      int best = -1;
      double bestDistance = Double.POSITIVE_INFINITY;
      for (int q = 0; q < mean.length; q++) {
        double dist = 0;
        for (int k = 0; k < d; k++) {
          double e = features.get(i)[k] - mean[q][k];
          dist += e * e;
        }
        if (dist < bestDistance) {
          bestDistance = dist;
          best = q;
        }
      }
      correct += best == labels.get(i) ? 1 : 0;
    }
    return correct / (double) (features.size() - half);
  }

  @Test
  void options_refuse_pre_training_without_the_auxiliary_loss() {
    var e = assertThrows(org.visualscratchpad.InvalidInputException.class, () -> new TrainingOptions(10, 4, 1e-3, 1, 1.0, 1L, 0, 50));
    assertTrue(e.getMessage().contains("pre-training steps (50)"), e.getMessage());
    assertThrows(org.visualscratchpad.InvalidInputException.class, () -> new TrainingOptions(10, 4, 1e-3, 1, 1.0, 1L, -1, 0));
  }
}
