package org.visualscratchpad.samples.shapes.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.visualscratchpad.samples.shapes.RgbImage;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;
import org.visualscratchpad.samples.shapes.vlm.ClipPixels;
import org.visualscratchpad.samples.shapes.vlm.TinyLlava;

/**
 * Trains a {@link TinyLlava} on ShapesWorld multi-turn question/answer conversations with DJL autograd on the PyTorch engine
 * and a hand-written Adam: next-token cross-entropy on the answer tokens and {@code </s>} only (the
 * prompt and image positions carry no loss), fresh training scenes every step, each as a {@link Conversation} that asks every task once.
 *
 * <pre>{@code
 * jshell> try (NDManager m = NDManager.newBaseManager(); var model = TinyLlava.initialise(TinyLlavaConfig.SHIPPED, 7, m)) {
 *    ...>   System.out.println(new ShapesWorldTrainer(new SceneGenerator()).train(model, TrainingOptions.SHIPPED.withSteps(20), null));
 *    ...> }
 * }</pre>
 *
 * <p>Not thread-safe; DJL allows one gradient collector per JVM at a time.
 */
public final class ShapesWorldTrainer {
  /** Receives progress once per step. */
  public interface Listener {
    void onStep(int step, double loss, double learningRate, double elapsedSeconds);
  }

  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.99;
  private static final double EPSILON = 1e-8;
  private static final int LOSS_EVERY = 50;

  private final SceneGenerator generator;

  public ShapesWorldTrainer(SceneGenerator generator) {
    this.generator = generator;
  }

  /** The training conversation {@code index} of the run seeded {@code seed}: a training scene, every task once. */
  public Conversation example(long seed, long index) {
    long sceneSeed = seed * 1_000_003L + index;
    Scene scene = generator.generate(sceneSeed, SceneDistribution.TRAINING);
    return Conversation.allTasks(scene, new SplittableRandom(sceneSeed ^ 0x5DEECE66DL));
  }

  /** Runs {@code options.steps()} Adam steps on {@code model}'s weights in place. */
  public TrainingReport train(TinyLlava model, TrainingOptions options, Listener listener) {
    Map<String, NDArray> weights = weightsOf(model);
    List<Double> curve = new ArrayList<>();
    double blockLoss = 0;
    int blockCount = 0;
    try (NDManager state = NDManager.newBaseManager()) {
      Map<String, NDArray[]> moments = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : weights.entrySet()) {
        e.getValue().setRequiresGradient(true);
        moments.put(e.getKey(), new NDArray[] {state.zeros(e.getValue().getShape()), state.zeros(e.getValue().getShape())});
      }
      long start = System.nanoTime();
      for (int step = 0; step < options.steps(); step++) {
        double loss;
        double lr = options.learningRateAt(step);
        try (NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          List<Conversation> batch = new ArrayList<>();
          for (int j = 0; j < options.batchSize(); j++) {
            batch.add(example(options.seed(), (long) step * options.batchSize() + j));
          }
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray lossArray = loss(model, batch, state);
            collector.backward(lossArray);
            loss = lossArray.getFloat();
          }
          adamStep(weights, moments, step + 1, lr, options.clipNorm());
        }
        blockLoss += loss;
        blockCount++;
        if (blockCount == LOSS_EVERY || step == options.steps() - 1) {
          curve.add(blockLoss / blockCount);
          blockLoss = 0;
          blockCount = 0;
        }
        if (listener != null) {
          listener.onStep(step, loss, lr, (System.nanoTime() - start) / 1e9);
        }
        if (!Double.isFinite(loss)) {
          throw new IllegalStateException("training loss became " + loss + " at step " + step + "; lower the learning rate");
        }
      }
      double wall = (System.nanoTime() - start) / 1e9;
      return new TrainingReport(options, model.parameterCount(), wall, LOSS_EVERY, curve);
    } finally {
      for (NDArray w : weights.values()) {
        w.setRequiresGradient(false);
      }
    }
  }

  /**
   * Mean next-token cross-entropy of {@code model} on the answers of {@code batch} (a scalar NDArray in
   * the current scope).
   */
  public static NDArray loss(TinyLlava model, List<Conversation> batch, NDManager manager) {
    int n = model.config().imageTokens();
    int b = batch.size();
    int[][][] encoded = new int[b][][];
    int length = 0;
    List<RgbImage> images = new ArrayList<>();
    for (int r = 0; r < b; r++) {
      encoded[r] = batch.get(r).idsAndAnswerMask(n);
      length = Math.max(length, encoded[r][0].length - 1);
      images.add(batch.get(r).scene().image());
    }
    // inputs are the ids without the last; position pos predicts id pos + 1; right padding carries no loss
    int[][] input = new int[b][length];
    int[] targets = new int[b * length];
    float[] mask = new float[b * length];
    float count = 0;
    for (int r = 0; r < b; r++) {
      int[] ids = encoded[r][0];
      int[] answer = encoded[r][1];
      java.util.Arrays.fill(input[r], ShapesVocabulary.PAD);
      System.arraycopy(ids, 0, input[r], 0, ids.length - 1);
      for (int pos = 0; pos < ids.length - 1; pos++) {
        targets[r * length + pos] = ids[pos + 1];
        if (answer[pos + 1] == 1) {
          mask[r * length + pos] = 1f;
          count++;
        }
      }
    }
    var c = model.config();
    NDArray pixels = manager.create(ClipPixels.normalise(images), new Shape(b, 3, c.imageSize(), c.imageSize()));
    NDArray logits = model.logits(model.imageFeatures(pixels), input); // [B, S, V]
    NDArray logProbs = logits.logSoftmax(-1);
    NDArray oneHot = manager.create(targets, new Shape(b, length)).oneHot(c.vocabSize()); // [B, S, V]
    NDArray nll = logProbs.mul(oneHot).sum(new int[] {-1}).neg(); // [B, S]
    return nll.mul(manager.create(mask, new Shape(b, length))).sum().div(count);
  }

  private static void adamStep(Map<String, NDArray> weights, Map<String, NDArray[]> moments, int t, double lr, double clipNorm) {
    Map<String, NDArray> grads = new LinkedHashMap<>();
    double squares = 0;
    for (Map.Entry<String, NDArray> e : weights.entrySet()) {
      NDArray g = e.getValue().getGradient();
      grads.put(e.getKey(), g);
      squares += g.square().sum().getFloat();
    }
    double norm = Math.sqrt(squares);
    float scale = (float) (norm > clipNorm ? clipNorm / norm : 1.0);
    double correction1 = 1 - Math.pow(BETA1, t);
    double correction2 = 1 - Math.pow(BETA2, t);
    float stepSize = (float) (lr * Math.sqrt(correction2) / correction1);
    for (Map.Entry<String, NDArray> e : weights.entrySet()) {
      NDArray g = grads.get(e.getKey()).mul(scale);
      NDArray[] mv = moments.get(e.getKey());
      mv[0].muli((float) BETA1).addi(g.mul((float) (1 - BETA1)));
      mv[1].muli((float) BETA2).addi(g.square().mul((float) (1 - BETA2)));
      e.getValue().subi(mv[0].div(mv[1].sqrt().add((float) EPSILON)).mul(stepSize));
      grads.get(e.getKey()).subi(grads.get(e.getKey())); // zero the accumulated gradient
    }
  }

  private static Map<String, NDArray> weightsOf(TinyLlava model) {
    return model.weights();
  }
}
