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
 *     <pre>{@code
 * jshell> TrainingOptions.SHIPPED.withSteps(50)
 * }</pre>
 */
public record TrainingOptions(int steps, int batchSize, double learningRate, int warmupSteps, double clipNorm, long seed) {
  /** The options that produced the shipped weights. */
  public static final TrainingOptions SHIPPED = new TrainingOptions(2400, 16, 3e-3, 50, 1.0, 7L);

  public TrainingOptions {
    InvalidInputException.check(steps > 0, "steps (%s) must be positive", steps);
    InvalidInputException.check(batchSize > 0, "batch size (%s) must be positive", batchSize);
    InvalidInputException.check(learningRate > 0 && Double.isFinite(learningRate), "learning rate (%s) must be positive", learningRate);
    InvalidInputException.check(warmupSteps >= 0, "warm-up steps (%s) must not be negative", warmupSteps);
    InvalidInputException.check(clipNorm > 0, "clip norm (%s) must be positive", clipNorm);
  }

  public TrainingOptions withSteps(int newSteps) {
    return new TrainingOptions(newSteps, batchSize, learningRate, Math.min(warmupSteps, newSteps / 10), clipNorm, seed);
  }

  public TrainingOptions withSeed(long newSeed) {
    return new TrainingOptions(steps, batchSize, learningRate, warmupSteps, clipNorm, newSeed);
  }

  public TrainingOptions withBatchSize(int newBatchSize) {
    return new TrainingOptions(steps, newBatchSize, learningRate, warmupSteps, clipNorm, seed);
  }

  public TrainingOptions withLearningRate(double newLearningRate) {
    return new TrainingOptions(steps, batchSize, newLearningRate, warmupSteps, clipNorm, seed);
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
