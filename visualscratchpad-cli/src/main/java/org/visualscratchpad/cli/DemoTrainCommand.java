package org.visualscratchpad.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.evaluation.CueEvaluation;
import org.visualscratchpad.samples.shapes.evaluation.HeldOutEvaluation;
import org.visualscratchpad.samples.shapes.evaluation.ShapesWorldEvaluator;
import org.visualscratchpad.samples.shapes.evaluation.TaskAccuracy;
import org.visualscratchpad.samples.shapes.training.ShapesWorldTrainer;
import org.visualscratchpad.samples.shapes.training.TrainingOptions;
import org.visualscratchpad.samples.shapes.training.TrainingReport;
import org.visualscratchpad.samples.shapes.vlm.ShapesWorldCheckpoint;
import org.visualscratchpad.samples.shapes.vlm.TinyLlava;
import org.visualscratchpad.samples.shapes.vlm.TinyLlavaConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vsp demo train}: trains the ShapesWorld VLM from scratch with the shipped options (or the given
 * ones), writes the Hugging Face model folder and {@code training.json}, and measures held-out accuracy.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train the ShapesWorld VLM (defaults reproduce the shipped model) and write a Hugging Face model folder.")
public final class DemoTrainCommand implements Callable<Integer> {
  @Option(names = "--out", description = "model folder to write (default: ${DEFAULT-VALUE})", defaultValue = "shapesworld-model")
  Path out;

  @Option(names = "--steps", description = "VLM optimiser steps after the vision pre-training (default: shipped, 8000)")
  Integer steps;

  @Option(names = "--batch-size", description = "examples per step (default: shipped, 16)")
  Integer batchSize;

  @Option(names = "--learning-rate", description = "peak learning rate (default: shipped, 3e-3)")
  Double learningRate;

  @Option(names = "--vision-aux-weight", description = "weight of the vision tower's training-only per-patch shape/colour/size/quadrant loss (default: shipped, 1)")
  Double visionAuxWeight;

  @Option(names = "--vision-pretrain-steps", description = "steps training the vision tower alone on that loss first (default: shipped, 3000)")
  Integer visionPretrainSteps;

  @Option(names = "--seed", description = "seed of weights, scenes and questions (default: shipped, 7)")
  Long seed;

  @Option(names = "--eval-per-task", description = "held-out questions per task for the final measurement (default: ${DEFAULT-VALUE})",
      defaultValue = "200")
  int evalPerTask;

  @Option(names = "--log-every", description = "print the loss every N steps (default: ${DEFAULT-VALUE})", defaultValue = "50")
  int logEvery;

  @Option(names = "--checkpoint-every", description = "also write the model folder every N steps (default: ${DEFAULT-VALUE}; 0: only at the end)",
      defaultValue = "200")
  int checkpointEvery;

  @Option(names = "--threads", description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE}; one avoids spinning on a shared machine)",
      defaultValue = "1")
  int threads;

  @Override
  public Integer call() {
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    TrainingOptions options = TrainingOptions.SHIPPED;
    if (steps != null) {
      options = options.withSteps(steps);
    }
    if (batchSize != null) {
      options = options.withBatchSize(batchSize);
    }
    if (learningRate != null) {
      options = options.withLearningRate(learningRate);
    }
    if (seed != null) {
      options = options.withSeed(seed);
    }
    if (visionAuxWeight != null) {
      options = options.withVisionAuxWeight(visionAuxWeight);
    }
    if (visionPretrainSteps != null) {
      options = options.withVisionPretrainSteps(visionPretrainSteps);
    }
    SceneGenerator generator = new SceneGenerator();
    TinyLlavaConfig config = TinyLlavaConfig.SHIPPED;
    System.out.println("training " + config + " with " + options);
    try (NDManager manager = NDManager.newBaseManager();
        TinyLlava model = TinyLlava.initialise(config, options.seed(), manager)) {
      System.out.println(model.parameterCount() + " parameters");
      double[] running = {Double.NaN};
      final TrainingOptions opts = options;
      TrainingReport report = new ShapesWorldTrainer(generator).train(model, options, new ShapesWorldTrainer.Listener() {
        @Override
        public void onPretrainStep(int step, double loss, double lr, double elapsed) {
          if ((step + 1) % logEvery == 0) {
            System.out.printf("vision pre-training step %5d/%d  auxiliary loss %.4f  lr %.2e  %.1f s%n", step + 1,
                opts.visionPretrainSteps(), loss, lr, elapsed);
          }
        }

        @Override
        public void onStep(int step, double loss, double lr, double elapsed) {
          running[0] = Double.isNaN(running[0]) ? loss : 0.95 * running[0] + 0.05 * loss;
          if ((step + 1) % logEvery == 0 || step + 1 == opts.steps()) {
            System.out.printf("step %5d/%d  loss %.4f (smoothed %.4f)  lr %.2e  %.1f s%n",
                step + 1, opts.steps(), loss, running[0], lr, elapsed);
          }
          if (checkpointEvery > 0 && (step + 1) % checkpointEvery == 0 && step + 1 < opts.steps()) {
            ShapesWorldCheckpoint.write(model, out);
            System.out.println("checkpoint after step " + (step + 1) + " written to " + out);
          }
        }
      });
      System.out.println(report);
      ShapesWorldCheckpoint.write(model, out);
      ShapesWorldEvaluator evaluator = new ShapesWorldEvaluator(generator);
      long evalStart = System.nanoTime();
      HeldOutEvaluation training = evaluator.heldOut(model, SceneDistribution.TRAINING, evalPerTask, 1);
      HeldOutEvaluation uniform = evaluator.heldOut(model, SceneDistribution.UNIFORM, evalPerTask, 2);
      CueEvaluation cue = evaluator.misleadingCue(model, evalPerTask, 3);
      System.out.printf("evaluation took %.1f s%n", (System.nanoTime() - evalStart) / 1e9);
      for (HeldOutEvaluation e : new HeldOutEvaluation[] {training, uniform}) {
        System.out.println("held-out " + e.distribution() + " scenes:");
        for (TaskAccuracy t : e.tasks()) {
          System.out.println("  " + t + (t.mistakes().isEmpty() ? "" : "  e.g. " + t.mistakes().get(0)));
        }
      }
      System.out.println(cue);
      writeTrainingJson(out.resolve("training.json"), config, model.parameterCount(), report, training, uniform, cue);
      System.out.println("wrote " + out.toAbsolutePath());
    }
    return 0;
  }

  private static void writeTrainingJson(Path file, TinyLlavaConfig config, long parameters, TrainingReport report,
      HeldOutEvaluation training, HeldOutEvaluation uniform, CueEvaluation cue) {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("command", "vsp demo train");
    root.put("config", config.toString());
    root.put("parameters", parameters);
    ObjectNode o = root.putObject("options");
    o.put("steps", report.options().steps());
    o.put("batch_size", report.options().batchSize());
    o.put("learning_rate", report.options().learningRate());
    o.put("warmup_steps", report.options().warmupSteps());
    o.put("clip_norm", report.options().clipNorm());
    o.put("seed", report.options().seed());
    o.put("vision_aux_weight", report.options().visionAuxWeight());
    o.put("vision_pretrain_steps", report.options().visionPretrainSteps());
    root.put("wall_seconds", report.wallSeconds());
    root.put("skipped_steps", report.skippedSteps());
    root.put("seconds_per_step", report.secondsPerStep());
    root.put("cores", Runtime.getRuntime().availableProcessors());
    ArrayNode curve = root.putArray("loss_curve");
    report.lossCurve().forEach(curve::add);
    for (HeldOutEvaluation e : new HeldOutEvaluation[] {training, uniform}) {
      ObjectNode acc = root.putObject("accuracy_" + e.distribution().name().toLowerCase(java.util.Locale.ROOT));
      acc.put("seed", e.seed());
      for (TaskAccuracy t : e.tasks()) {
        acc.put(t.task().name().toLowerCase(java.util.Locale.ROOT), t.accuracy());
      }
      acc.put("questions_per_task", e.tasks().get(0).total());
    }
    ObjectNode c = root.putObject("misleading_cue");
    c.put("asked", cue.asked());
    c.put("accuracy", cue.accuracy());
    c.put("failure_rate", cue.failureRate());
    c.put("seed", cue.seed());
    try {
      json.writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new ScratchpadException("training report (" + file + ") could not be written: " + e.getMessage(), e);
    }
  }
}
