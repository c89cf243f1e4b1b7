package org.visualscratchpad.samples.shapes.training;

import org.visualscratchpad.InvalidInputException;

/**
 * How the ShapesWorld VLM is trained: Adam with linear warm-up and cosine decay to a tenth, global
 * gradient-norm clipping, fresh training scenes every step (scene seeds {@code seed * 1_000_003 + k}).
 *
 * @param steps optimiser steps
 * @param batchSize conversations (one scene, every task once) per step
 * @param learningRate peak learning rate
 * @param warmupSteps linear warm-up steps
 * @param clipNorm global gradient-norm limit
 * @param seed seed of the weights, the scenes and the questions
 * @param visionAuxWeight weight of the vision tower's auxiliary loss: per-patch classification of the shape,
 *     colour, size and quadrant of the object on the patch (or background) by linear heads on the patches of the layer the
 *     projector reads, used only during training and not saved (0: none). It plays the part of the
 *     pre-training a real LLaVA's CLIP tower has had.
 * @param visionPretrainSteps steps that train the vision tower alone on the auxiliary loss before the
 *     whole model is trained (0: none; needs {@code visionAuxWeight > 0})
 *     <pre>{@code
 * jshell> TrainingOptions.SHIPPED.withSteps(50)
 * }</pre>
 */
public record TrainingOptions(int steps, int batchSize, double learningRate, int warmupSteps, double clipNorm, long seed,
    double visionAuxWeight, int visionPretrainSteps) {
  /** The options that produced the shipped weights. */
  public static final TrainingOptions SHIPPED = new TrainingOptions(8000, 16, 3e-3, 50, 1.0, 7L, 1.0, 3000);

  public TrainingOptions {
    InvalidInputException.check(steps > 0, "steps (%s) must be positive", steps);
    InvalidInputException.check(batchSize > 0, "batch size (%s) must be positive", batchSize);
    InvalidInputException.check(learningRate > 0 && Double.isFinite(learningRate), "learning rate (%s) must be positive", learningRate);
    InvalidInputException.check(warmupSteps >= 0, "warm-up steps (%s) must not be negative", warmupSteps);
    InvalidInputException.check(clipNorm > 0, "clip norm (%s) must be positive", clipNorm);
    InvalidInputException.check(visionAuxWeight >= 0 && Double.isFinite(visionAuxWeight),
        "vision auxiliary loss weight (%s) must be a finite number >= 0", visionAuxWeight);
    InvalidInputException.check(visionPretrainSteps >= 0 && (visionPretrainSteps == 0 || visionAuxWeight > 0),
        "vision pre-training steps (%s) must be >= 0, and need a positive auxiliary loss weight (%s)", visionPretrainSteps, visionAuxWeight);
  }

  /** Options without the vision tower's auxiliary loss. */
  public TrainingOptions(int steps, int batchSize, double learningRate, int warmupSteps, double clipNorm, long seed) {
    this(steps, batchSize, learningRate, warmupSteps, clipNorm, seed, 0, 0);
  }

  public TrainingOptions withVisionAuxWeight(double weight) {
    return new TrainingOptions(steps, batchSize, learningRate, warmupSteps, clipNorm, seed, weight, visionPretrainSteps);
  }

  public TrainingOptions withVisionPretrainSteps(int n) {
    return new TrainingOptions(steps, batchSize, learningRate, warmupSteps, clipNorm, seed, visionAuxWeight, n);
  }

  /** Learning rate at vision pre-training step {@code step}: the same warm-up and cosine shape over the pre-training steps. */
  public double pretrainLearningRateAt(int step) {
    return new TrainingOptions(visionPretrainSteps, batchSize, learningRate, Math.min(warmupSteps, visionPretrainSteps / 10),
        clipNorm, seed).learningRateAt(step);
  }

  public TrainingOptions withSteps(int newSteps) {
    return new TrainingOptions(newSteps, batchSize, learningRate, Math.min(warmupSteps, newSteps / 10), clipNorm, seed, visionAuxWeight, visionPretrainSteps);
  }

  public TrainingOptions withSeed(long newSeed) {
    return new TrainingOptions(steps, batchSize, learningRate, warmupSteps, clipNorm, newSeed, visionAuxWeight, visionPretrainSteps);
  }

  public TrainingOptions withBatchSize(int newBatchSize) {
    return new TrainingOptions(steps, newBatchSize, learningRate, warmupSteps, clipNorm, seed, visionAuxWeight, visionPretrainSteps);
  }

  public TrainingOptions withLearningRate(double newLearningRate) {
    return new TrainingOptions(steps, batchSize, newLearningRate, warmupSteps, clipNorm, seed, visionAuxWeight, visionPretrainSteps);
  }

  /** Learning rate at step {@code step} (0-based). */
  public double learningRateAt(int step) {
    if (step < warmupSteps) {
      return learningRate * (step + 1) / warmupSteps;
    }
    double progress = (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps);
    return learningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
  }
}
