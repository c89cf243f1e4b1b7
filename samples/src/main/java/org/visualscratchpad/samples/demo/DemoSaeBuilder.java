package org.visualscratchpad.samples.demo;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.sae.stats.ImageActivations;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.sae.stats.StatisticsOptions;
import org.visualscratchpad.sae.train.SaeTrainer;
import org.visualscratchpad.sae.train.StepMetrics;
import org.visualscratchpad.sae.train.TrainedSae;
import org.visualscratchpad.sae.train.TrainingConfig;
import org.visualscratchpad.samples.shapes.Scene;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.samples.shapes.SceneObject;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.llava.ImageInput;
import org.visualscratchpad.torch.llava.LlavaModel;

/**
 * Builds the demo's SAE and latent statistics on the ShapesWorld model: reads the vision tower at
 * the layer the projector reads (the output of block {@code numLayers - 2}), trains a ReLU SAE on
 * generated training scenes with the project's trainer, and aggregates latent statistics over
 * held-out uniform scenes labelled by their biggest object ("red circle").
 *
 * <pre>{@code
 * jshell> DemoSaeBuilder.build(Path.of("model"), Path.of("sae"), Path.of("stats"), DemoSaeBuilder.Options.shipped(), out)
 * }</pre>
 */
public final class DemoSaeBuilder {
  private DemoSaeBuilder() {}

  /**
   * @param trainScenes training scenes whose every token is a training row
   * @param statScenes held-out scenes for the statistics
   * @param expansion d_sae / d_in
   * @param l1 L1 coefficient
   * @param learningRate Adam's learning rate
   * @param steps training steps
   * @param batch rows per step
   * @param seed seed of scenes, batches and initialisation
   */
  public record Options(int trainScenes, int statScenes, int expansion, double l1, double learningRate, int steps,
      int batch, long seed) {
    /** The settings of the shipped SAE. */
    public static Options shipped() {
      return new Options(3000, 1000, 8, 2.0, 2e-3, 2000, 512, 11);
    }
  }

  /** What the build measured. */
  public record Report(HookPoint hook, int dSae, StepMetrics last, double meanL0, int deadLatents, long statImages) {}

  public static Report build(Path modelDir, Path saeOut, Path statsOut, Options o, PrintWriter log) {
    try (LlavaModel model = LlavaModel.load(modelDir)) {
      ImagePreprocessor pre = ImagePreprocessor.forCheckpoint(modelDir);
      HookPoint hook = HookPoint.visionResidPost(model.config().featureHiddenIndex() - 1);
      SceneGenerator gen = new SceneGenerator();
      List<float[]> rows = new ArrayList<>();
      int dIn = model.hiddenSize();
      for (int i = 0; i < o.trainScenes(); i++) {
        Scene s = gen.generate(o.seed() * 1_000_003L + i, SceneDistribution.TRAINING);
        FloatMatrix z = stream(model, pre, s, hook);
        for (int r = 0; r < z.rows(); r++) {
          rows.add(z.row(r));
        }
      }
      log.printf(Locale.ROOT, "read %d rows of %s from %d training scenes%n", rows.size(), hook, o.trainScenes());
      TrainingConfig cfg = TrainingConfig.paperDefaults(dIn, hook)
          .withDSae(dIn * o.expansion())
          .withL1(o.l1(), TrainingConfig.paperDefaults(dIn, hook).decoderNorm())
          .withLearningRate(o.learningRate())
          .withSchedule(o.steps(), o.steps() / 20, o.steps() / 5)
          .withSeed(o.seed())
          .withModelName("shapesworld-tiny-llava");
      StepMetrics last;
      TrainedSae trained;
      try (SaeTrainer trainer = SaeTrainer.create(cfg)) {
        last = trainer.train(batches(rows, dIn, o.batch(), o.seed()), (t, m) -> {
          if (m.step() % 500 == 0) {
            log.println("  " + m);
            log.flush();
          }
        });
        trained = trainer.snapshot();
      }
      trained.save(saeOut);
      SparseAutoencoder sae = SaeLoader.load(saeOut, dIn);
      LatentStatistics stats = new LatentStatistics(sae.dSae(), StatisticsOptions.defaults());
      double l0 = 0;
      for (int i = 0; i < o.statScenes(); i++) {
        Scene s = gen.generate(o.seed() * 7_000_003L + i, SceneDistribution.UNIFORM);
        var codes = sae.encode(stream(model, pre, s, hook));
        l0 += codes.meanL0();
        stats.add(new ImageActivations("scene-" + s.seed(), label(s), List.of(codes)));
      }
      stats.save(statsOut);
      int dead = 0;
      for (int j = 0; j < sae.dSae(); j++) {
        dead += stats.imageCount(j) == 0 ? 1 : 0;
      }
      Report rep = new Report(hook, sae.dSae(), last, l0 / o.statScenes(), dead, stats.images());
      log.println(rep);
      log.flush();
      return rep;
    }
  }

  /** The label of a scene for statistics: colour and shape of its biggest object. */
  static String label(Scene s) {
    SceneObject big = s.objects().stream().max(Comparator.comparingInt(SceneObject::radius)).orElseThrow();
    return big.colour().word() + " " + big.shape().word();
  }

  static FloatMatrix stream(LlavaModel model, ImagePreprocessor pre, Scene s, HookPoint hook) {
    ImageInput in = ImageInput.from(pre.preprocess(ImageDecoder.toRgb(s.image().toBufferedImage())));
    return model.residualStream(in, hook).get(0);
  }

  private static Iterator<FloatMatrix> batches(List<float[]> rows, int dIn, int batch, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public FloatMatrix next() {
        float[] data = new float[batch * dIn];
        for (int b = 0; b < batch; b++) {
          System.arraycopy(rows.get(rnd.nextInt(rows.size())), 0, data, b * dIn, dIn);
        }
        return FloatMatrix.adopt(batch, dIn, data);
      }
    };
  }
}
