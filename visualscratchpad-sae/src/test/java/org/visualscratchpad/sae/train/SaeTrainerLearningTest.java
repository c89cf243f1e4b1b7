package org.visualscratchpad.sae.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.visualscratchpad.hook.HookPoint;

/** The trainer learns: it recovers a known sparse dictionary from synthetic activations. */
class SaeTrainerLearningTest {

  private static final long SEED = 20260301L;

  @Test
  void relu_sae_recovers_at_least_90_percent_of_a_known_sparse_dictionary() {
    SyntheticDictionary data = new SyntheticDictionary(32, 48, 3, 0.01, SEED);
    TrainingConfig cfg = TrainingConfig.paperDefaults(32, HookPoint.visionResidPost(0))
        .withDSae(96)
        .withL1(Double.parseDouble(System.getProperty("t.l1", "0.05")), DecoderNorm.UNIT)
        .withLearningRate(Double.parseDouble(System.getProperty("t.lr", "3e-3")))
        .withTotalSteps(Long.parseLong(System.getProperty("t.steps", "3000")))
        .withDeadWindowTokens(50_000)
        .withSeed(SEED);
    long t0 = System.nanoTime();
    try (SaeTrainer trainer = SaeTrainer.create(cfg)) {
      StepMetrics last = trainer.train(data.batches(256), TrainingListener.none());
      double recovered = data.recovered(trainer.snapshot(), 0.9);
      System.out.printf("relu: %s recovered %.3f in %.1f s%n", last, recovered, (System.nanoTime() - t0) / 1e9);
      assertTrue(recovered >= 0.9, "recovered " + recovered + " of the true directions (seed " + SEED + "); " + last);
      assertTrue(last.explainedVariance() > 0.9, "explained variance " + last);
    }
  }

  @Test
  void topk_sae_recovers_at_least_90_percent_of_a_known_sparse_dictionary() {
    SyntheticDictionary data = new SyntheticDictionary(32, 48, 3, 0.01, SEED + 1);
    TrainingConfig cfg = TrainingConfig.paperDefaults(32, HookPoint.visionResidPost(0))
        .withDSae(96)
        .withTopK(Integer.parseInt(System.getProperty("t.k", "4")))
        .withLearningRate(Double.parseDouble(System.getProperty("t.lr", "3e-3")))
        .withTotalSteps(Long.parseLong(System.getProperty("t.steps", "3000")))
        .withDeadWindowTokens(50_000)
        .withSeed(SEED);
    long t0 = System.nanoTime();
    try (SaeTrainer trainer = SaeTrainer.create(cfg)) {
      StepMetrics last = trainer.train(data.batches(256), TrainingListener.none());
      double recovered = data.recovered(trainer.snapshot(), 0.9);
      System.out.printf("topk: %s recovered %.3f in %.1f s%n", last, recovered, (System.nanoTime() - t0) / 1e9);
      assertTrue(recovered >= 0.9, "recovered " + recovered + " of the true directions (seed " + SEED + "); " + last);
    }
  }
}
