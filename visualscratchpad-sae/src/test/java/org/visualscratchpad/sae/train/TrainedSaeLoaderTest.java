package org.visualscratchpad.sae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.tensor.FloatMatrix;

/** A trained SAE saved in the SAELens layout loads with this module's SaeLoader and encodes the same. */
class TrainedSaeLoaderTest {

  @ParameterizedTest(name = "topk {0}")
  @ValueSource(booleans = {false, true})
  void saved_sae_loads_with_sae_loader_and_encodes_identically(boolean topK, @TempDir Path tmp) {
    SyntheticDictionary data = new SyntheticDictionary(24, 30, 3, 0.01, 31);
    TrainingConfig cfg = TrainingConfig.paperDefaults(24, HookPoint.visionResidPost(5)).withDSae(60)
        .withL1(0.05, DecoderNorm.UNIT).withLearningRate(3e-3).withTotalSteps(200).withSeed(31).withModelName("synthetic");
    if (topK) {
      cfg = cfg.withTopK(5);
    }
    TrainedSae trained;
    try (SaeTrainer t = SaeTrainer.create(cfg)) {
      t.train(data.batches(128), TrainingListener.none());
      trained = t.snapshot();
    }
    trained.save(tmp.resolve("sae"));
    SparseAutoencoder loaded = SaeLoader.load(tmp.resolve("sae"));
    assertEquals(topK ? SaeArchitecture.TOPK : SaeArchitecture.STANDARD, loaded.config().architecture());
    assertEquals(24, loaded.dIn());
    assertEquals(60, loaded.dSae());
    assertEquals(topK ? 5 : 0, loaded.config().k());
    assertEquals(HookPoint.visionResidPost(5), loaded.config().hookPoint());
    assertEquals("synthetic", loaded.config().modelName());
    FloatMatrix x = data.batch(40);
    SparseActivations mine = trained.encode(x);
    SparseActivations theirs = loaded.encode(x);
    float worst = mine.toDense().maxAbsDiff(theirs.toDense());
    assertEquals(0f, worst, 1e-4f, "encode differs by " + worst);
    for (int j = 0; j < 60; j++) {
      float[] a = trained.decoderDirection(j);
      float[] b = loaded.decoderDirection(j);
      for (int i = 0; i < 24; i++) {
        assertEquals(a[i], b[i], 0f, "W_dec[" + j + "][" + i + "]");
      }
    }
  }
}
