package org.visualscratchpad.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.evaluation.CueEvaluation;
import org.visualscratchpad.samples.shapes.evaluation.HeldOutEvaluation;
import org.visualscratchpad.samples.shapes.evaluation.ShapesWorldEvaluator;
import org.visualscratchpad.samples.shapes.evaluation.TaskAccuracy;
import org.visualscratchpad.samples.shapes.vlm.ShapesWorldCheckpoint;
import org.visualscratchpad.samples.shapes.vlm.TinyLlava;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vsp demo accuracy}: held-out accuracy per task of a ShapesWorld model folder (default: the
 * shipped one) on training-distribution and uniform scenes, and the misleading-cue failure rate.
 */
@Command(name = "accuracy", mixinStandardHelpOptions = true,
    description = "Measure a ShapesWorld model's held-out accuracy per task and its misleading-cue failure rate.")
public final class DemoAccuracyCommand implements Callable<Integer> {
  @Option(names = "--model", description = "model folder (default: the shipped model)")
  Path model;

  @Option(names = "--per-task", description = "held-out questions per task (default: ${DEFAULT-VALUE})", defaultValue = "200")
  int perTask;

  @Override
  public Integer call() {
    Path folder = model;
    if (folder == null) {
      try {
        folder = ShapesWorldCheckpoint.extractShipped(Files.createTempDirectory("shapesworld-model"));
      } catch (IOException e) {
        throw new ScratchpadException("no temporary folder for the shipped model: " + e.getMessage(), e);
      }
    }
    SceneGenerator generator = new SceneGenerator();
    ShapesWorldEvaluator evaluator = new ShapesWorldEvaluator(generator);
    try (NDManager manager = NDManager.newBaseManager();
        TinyLlava vlm = ShapesWorldCheckpoint.load(folder, manager)) {
      System.out.println("model " + folder + ": " + vlm);
      long start = System.nanoTime();
      HeldOutEvaluation training = evaluator.heldOut(vlm, SceneDistribution.TRAINING, perTask, 1);
      HeldOutEvaluation uniform = evaluator.heldOut(vlm, SceneDistribution.UNIFORM, perTask, 2);
      CueEvaluation cue = evaluator.misleadingCue(vlm, perTask, 3);
      for (HeldOutEvaluation e : new HeldOutEvaluation[] {training, uniform}) {
        System.out.println("held-out " + e.distribution() + " scenes (seed " + e.seed() + "):");
        for (TaskAccuracy t : e.tasks()) {
          System.out.println("  " + t + (t.mistakes().isEmpty() ? "" : "  e.g. " + t.mistakes().get(0)));
        }
      }
      System.out.println(cue);
      System.out.printf("evaluation took %.1f s%n", (System.nanoTime() - start) / 1e9);
    }
    return 0;
  }
}
