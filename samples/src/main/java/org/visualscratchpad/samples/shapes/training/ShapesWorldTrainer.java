package org.visualscratchpad.samples.shapes.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.visualscratchpad.samples.shapes.Colour;
import org.visualscratchpad.samples.shapes.ObjectSize;
import org.visualscratchpad.samples.shapes.Quadrant;
import org.visualscratchpad.samples.shapes.RgbImage;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.SceneObject;
import org.visualscratchpad.samples.shapes.ShapeKind;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;
import org.visualscratchpad.samples.shapes.vlm.ClipPixels;
import org.visualscratchpad.samples.shapes.vlm.TinyLlava;
import org.visualscratchpad.samples.shapes.vlm.TinyLlavaConfig;

/**
 * Trains a {@link TinyLlava} on ShapesWorld multi-turn question/answer conversations with DJL autograd on the PyTorch engine
 * and a hand-written Adam: next-token cross-entropy on the answer tokens and {@code </s>} only (the
 * prompt and image positions carry no loss), fresh training scenes every step, each as a {@link Conversation}
 * ({@link Conversation#training}). Optionally the vision tower is first pre-trained alone, and keeps being
 * trained, on a per-patch auxiliary loss ({@link TrainingOptions#visionAuxWeight()}).
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

    /** Progress of the vision tower's pre-training ({@link TrainingOptions#visionPretrainSteps()}), once per step. */
    default void onPretrainStep(int step, double auxiliaryLoss, double learningRate, double elapsedSeconds) {}
  }

  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.99;
  private static final double EPSILON = 1e-8;
  private static final int LOSS_EVERY = 50;
  private static final int MAX_CONSECUTIVE_SKIPS = 20;

  private final SceneGenerator generator;

  public ShapesWorldTrainer(SceneGenerator generator) {
    this.generator = generator;
  }

  /** The training conversation {@code index} of the run seeded {@code seed}: a training scene, every task once. */
  public Conversation example(long seed, long index) {
    long sceneSeed = seed * 1_000_003L + index;
    Scene scene = generator.generate(sceneSeed, SceneDistribution.TRAINING);
    return Conversation.training(scene, new SplittableRandom(sceneSeed ^ 0x5DEECE66DL));
  }

  /** Runs {@code options.steps()} Adam steps on {@code model}'s weights in place. */
  public TrainingReport train(TinyLlava model, TrainingOptions options, Listener listener) {
    Map<String, NDArray> weights = new LinkedHashMap<>(weightsOf(model));
    List<Double> curve = new ArrayList<>();
    double blockLoss = 0;
    int blockCount = 0;
    int skipped = 0;
    int consecutiveSkips = 0;
    try (NDManager state = NDManager.newBaseManager()) {
      Map<String, NDArray[]> moments = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : weights.entrySet()) {
        e.getValue().setRequiresGradient(true);
        moments.put(e.getKey(), new NDArray[] {state.zeros(e.getValue().getShape()), state.zeros(e.getValue().getShape())});
      }
      AuxHeads aux = options.visionAuxWeight() > 0 ? AuxHeads.initialise(model.config().visionHidden(), options.seed(), state) : null;
      if (aux != null) {
        for (int h = 0; h < aux.heads().size(); h++) {
          String name = AuxHeads.name(h);
          NDArray w = aux.heads().get(h);
          weights.put(name, w);
          w.setRequiresGradient(true);
          moments.put(name, new NDArray[] {state.zeros(w.getShape()), state.zeros(w.getShape())});
        }
      }
      long start = System.nanoTime();
      if (aux != null && options.visionPretrainSteps() > 0) {
        skipped += pretrainVision(model, options, weights, moments, aux, state, listener, start);
      }
      for (int step = 0; step < options.steps(); step++) {
        double loss;
        boolean applied;
        double lr = options.learningRateAt(step);
        try (NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          List<Conversation> batch = new ArrayList<>();
          for (int j = 0; j < options.batchSize(); j++) {
            batch.add(example(options.seed(), (long) step * options.batchSize() + j));
          }
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray lossArray = loss(model, batch, state, aux, options.visionAuxWeight());
            collector.backward(lossArray);
            loss = lossArray.getFloat();
          }
          applied = adamStep(weights, moments, step + 1, lr, options.clipNorm());
        }
        if (applied) {
          consecutiveSkips = 0;
          blockLoss += loss;
          blockCount++;
        } else {
          skipped++;
          if (++consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
            throw new IllegalStateException("training loss or gradient was not finite for " + consecutiveSkips
                + " steps in a row (loss " + loss + " at step " + step + "); lower the learning rate");
          }
        }
        if (blockCount == LOSS_EVERY || (step == options.steps() - 1 && blockCount > 0)) {
          curve.add(blockLoss / blockCount);
          blockLoss = 0;
          blockCount = 0;
        }
        if (listener != null) {
          listener.onStep(step, loss, lr, (System.nanoTime() - start) / 1e9);
        }
      }
      double wall = (System.nanoTime() - start) / 1e9;
      return new TrainingReport(options, model.parameterCount(), wall, LOSS_EVERY, curve, skipped);
    } finally {
      for (NDArray w : weightsOf(model).values()) {
        w.setRequiresGradient(false);
      }
    }
  }

  /**
   * Mean next-token cross-entropy of {@code model} on the answers of {@code batch} (a scalar NDArray in
   * the current scope).
   */
  public static NDArray loss(TinyLlava model, List<Conversation> batch, NDManager manager) {
    return loss(model, batch, manager, null, 0);
  }

  /**
   * Trains the vision tower and the auxiliary heads alone, on the auxiliary loss over fresh training scenes
   * (seeds apart from the conversation scenes), with their own Adam moments.
   *
   * @return the steps skipped for a non-finite gradient
   */
  private int pretrainVision(TinyLlava model, TrainingOptions options, Map<String, NDArray> weights,
      Map<String, NDArray[]> moments, AuxHeads aux, NDManager state, Listener listener, long start) {
    Map<String, NDArray> vision = new LinkedHashMap<>();
    Map<String, NDArray[]> visionMoments = new LinkedHashMap<>();
    String lastLayer = TinyLlava.VISION + "encoder.layers." + (model.config().visionLayers() - 1) + ".";
    for (Map.Entry<String, NDArray> e : weights.entrySet()) {
      boolean used = e.getKey().startsWith(TinyLlava.VISION) && !e.getKey().startsWith(lastLayer)
          && !e.getKey().contains("post_layernorm");
      if (used || e.getKey().startsWith(AuxHeads.PREFIX)) {
        vision.put(e.getKey(), e.getValue());
        NDArray[] m = moments.get(e.getKey());
        visionMoments.put(e.getKey(), new NDArray[] {m[0].zerosLike(), m[1].zerosLike()});
      }
    }
    var c = model.config();
    int consecutive = 0;
    int skipped = 0;
    for (int step = 0; step < options.visionPretrainSteps(); step++) {
      double lr = options.pretrainLearningRateAt(step);
      double loss;
      boolean applied;
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        List<Scene> scenes = new ArrayList<>();
        for (int j = 0; j < options.batchSize(); j++) {
          scenes.add(generator.generate(options.seed() * 1_000_003L + 500_000_000L + (long) step * options.batchSize() + j,
              SceneDistribution.TRAINING));
        }
        List<RgbImage> images = scenes.stream().map(Scene::image).toList();
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDArray pixels = state.create(ClipPixels.normalise(images), new Shape(scenes.size(), 3, c.imageSize(), c.imageSize()));
          NDArray hidden = model.visionHiddenState(pixels, c.visionLayers() - 1);
          NDArray lossArray = auxLoss(hidden, scenes, c, aux, state);
          collector.backward(lossArray);
          loss = lossArray.getFloat();
        }
        applied = adamStep(vision, visionMoments, step + 1, lr, options.clipNorm());
      }
      consecutive = applied ? 0 : consecutive + 1;
      skipped += applied ? 0 : 1;
      if (consecutive >= MAX_CONSECUTIVE_SKIPS) {
        throw new IllegalStateException("vision pre-training loss or gradient was not finite for " + consecutive
            + " steps in a row (at step " + step + "); lower the learning rate");
      }
      if (listener != null) {
        listener.onPretrainStep(step, loss, lr, (System.nanoTime() - start) / 1e9);
      }
    }
    for (NDArray[] m : visionMoments.values()) {
      m[0].close();
      m[1].close();
    }
    return skipped;
  }

  /** Mean cross-entropy of the auxiliary heads on the patches of {@code hidden} ({@code [B, N+1, Dv]}). */
  static NDArray auxLoss(NDArray hidden, List<Scene> scenes, TinyLlavaConfig c, AuxHeads aux, NDManager manager) {
    int b = scenes.size();
    int n = c.imageTokens();
    int[][] targets = new int[AuxHeads.CLASSES.length][b * n];
    for (int r = 0; r < b; r++) {
      int[][] labels = patchLabels(scenes.get(r), c.gridSide(), c.patchSize());
      for (int h = 0; h < targets.length; h++) {
        System.arraycopy(labels[h], 0, targets[h], r * n, n);
      }
    }
    NDArray patches = hidden.get(new NDIndex(":, 1:, :")); // [B, N, Dv]
    NDArray total = null;
    for (int h = 0; h < targets.length; h++) {
      NDArray nll = patches.matMul(aux.heads().get(h)).logSoftmax(-1)
          .mul(manager.create(targets[h], new Shape(b, n)).oneHot(AuxHeads.CLASSES[h])).sum(new int[] {-1}).neg().mean();
      total = total == null ? nll : total.add(nll);
    }
    return total;
  }

  /**
   * Linear heads that classify each patch of the projector's input layer by the shape, colour, size and
   * quadrant of the object covering it ({@link #patchLabels}); training-only, never saved.
   *
   * @param heads {@code [Dv, classes]} weights, in the order of {@link #CLASSES}
   */
  public record AuxHeads(List<NDArray> heads) {
    static final String PREFIX = "training_only.";
    /** Classes per head: shape, colour, size, quadrant, each with a last class for background patches. */
    static final int[] CLASSES = {
        ShapeKind.values().length + 1, Colour.values().length + 1, ObjectSize.values().length + 1, Quadrant.values().length + 1};

    static String name(int head) {
      return PREFIX + List.of("shape", "colour", "size", "quadrant").get(head) + "_head";
    }

    static AuxHeads initialise(int dv, long seed, NDManager manager) {
      SplittableRandom rng = new SplittableRandom(seed ^ 0xA0C5L);
      List<NDArray> heads = new ArrayList<>();
      for (int classes : CLASSES) {
        heads.add(gaussian(rng, dv, classes, manager));
      }
      return new AuxHeads(List.copyOf(heads));
    }

    private static NDArray gaussian(SplittableRandom rng, int rows, int cols, NDManager manager) {
      float[] w = new float[rows * cols];
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) (rng.nextGaussian() / Math.sqrt(rows));
      }
      return manager.create(w, new Shape(rows, cols));
    }
  }

  /**
   * Per-patch labels of a scene for the auxiliary loss: for each patch (row-major) the shape, colour, size and
   * quadrant ordinals of the object covering the most of it, or each head's background class (the last) when
   * no object covers at least 15 % of it.
   *
   * @return {@code [4][patches]}: shape, colour, size, quadrant classes
   */
  public static int[][] patchLabels(Scene scene, int gridSide, int patchSize) {
    int[][] out = new int[AuxHeads.CLASSES.length][gridSide * gridSide];
    for (int p = 0; p < gridSide * gridSide; p++) {
      SceneObject best = scene.objectOn((p % gridSide) * patchSize, (p / gridSide) * patchSize, patchSize, 0.15).orElse(null);
      boolean on = best != null;
      out[0][p] = on ? best.shape().ordinal() : AuxHeads.CLASSES[0] - 1;
      out[1][p] = on ? best.colour().ordinal() : AuxHeads.CLASSES[1] - 1;
      out[2][p] = on ? best.size().ordinal() : AuxHeads.CLASSES[2] - 1;
      out[3][p] = on ? best.quadrant().ordinal() : AuxHeads.CLASSES[3] - 1;
    }
    return out;
  }

  /**
   * The answer loss plus, when {@code aux} is given, {@code auxWeight} times the summed mean cross-entropies
   * of the auxiliary per-patch heads ({@link AuxHeads}).
   */
  public static NDArray loss(TinyLlava model, List<Conversation> batch, NDManager manager, AuxHeads aux, double auxWeight) {
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
    NDArray hidden = model.visionHiddenState(pixels, c.visionLayers() - 1); // [B, N+1, Dv]
    NDArray logits = model.logits(model.project(hidden), input); // [B, S, V]
    NDArray logProbs = logits.logSoftmax(-1);
    NDArray oneHot = manager.create(targets, new Shape(b, length)).oneHot(c.vocabSize()); // [B, S, V]
    NDArray nll = logProbs.mul(oneHot).sum(new int[] {-1}).neg(); // [B, S]
    NDArray answerLoss = nll.mul(manager.create(mask, new Shape(b, length))).sum().div(count);
    if (aux == null || auxWeight == 0) {
      return answerLoss;
    }
    List<Scene> scenes = batch.stream().map(Conversation::scene).toList();
    return answerLoss.add(auxLoss(hidden, scenes, c, aux, manager).mul((float) auxWeight));
  }

  /** One Adam update; false (and the gradients zeroed, the weights untouched) when the gradient is not finite. */
  private static boolean adamStep(Map<String, NDArray> weights, Map<String, NDArray[]> moments, int t, double lr, double clipNorm) {
    Map<String, NDArray> grads = new LinkedHashMap<>();
    double squares = 0;
    for (Map.Entry<String, NDArray> e : weights.entrySet()) {
      NDArray g = e.getValue().getGradient();
      grads.put(e.getKey(), g);
      squares += g.square().sum().getFloat();
    }
    double norm = Math.sqrt(squares);
    if (!Double.isFinite(norm)) {
      // a non-finite gradient (an overflow in one batch) would poison every weight: skip this update
      for (NDArray g : grads.values()) {
        g.set(g.isNaN().logicalOr(g.isInfinite()), 0f); // NaN - NaN would stay NaN
        g.subi(g);
      }
      return false;
    }
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
    return true;
  }

  private static Map<String, NDArray> weightsOf(TinyLlava model) {
    return model.weights();
  }
}
