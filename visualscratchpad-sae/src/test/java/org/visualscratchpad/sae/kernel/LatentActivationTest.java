package org.visualscratchpad.sae.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.SparseActivations;

/**
 * Both kernels compute the general per-latent form (scale, shift, gate, cut-off) as written in
 * {@link LatentActivation}: checked against the formula evaluated in double precision, on seeded
 * random SAEs whose latents sit away from their edges.
 */
class LatentActivationTest {

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void kernels_compute_the_scaled_shifted_gated_form(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int dIn = 19;
    int dSae = 70;
    int rows = 13;
    float[] wEnc = RandomSae.gaussian(rnd, dIn * dSae, 0.3f);
    float[] wDec = RandomSae.gaussian(rnd, dIn * dSae, 0.3f);
    float[] bDec = RandomSae.gaussian(rnd, dIn, 0.1f);
    float[] scale = new float[dSae];
    float[] shift = new float[dSae];
    float[] gate = new float[dSae];
    float[] threshold = new float[dSae];
    for (int j = 0; j < dSae; j++) {
      scale[j] = (float) (0.2 + 2 * rnd.nextDouble());
      shift[j] = (float) (rnd.nextDouble() - 0.6);
      gate[j] = (float) (rnd.nextDouble() - 0.5);
      threshold[j] = (float) (0.3 * rnd.nextDouble());
    }
    SaeConfig cfg = new SaeConfig(SaeArchitecture.STANDARD, dIn, dSae, HookPoint.visionResidPost(1), true, 0, "float32", "");
    LatentActivation act = LatentActivation.of(scale, shift, gate).withThresholds(threshold);
    SaeWeights w = SaeWeights.of(cfg, wEnc, wDec, bDec, act);
    float[] z = RandomSae.gaussian(rnd, rows * dIn, 1f);
    SparseActivations scalar = new ScalarSaeKernel(w).encode(z, rows);
    SparseActivations vector = KernelChoice.vectorAvailable() ? KernelChoice.VECTOR.create(w).encode(z, rows) : scalar;
    int fired = 0;
    int gatedOff = 0;
    for (int row = 0; row < rows; row++) {
      for (int j = 0; j < dSae; j++) {
        double m = 0;
        for (int i = 0; i < dIn; i++) {
          m += (z[row * dIn + i] - bDec[i]) * (double) wEnc[i * dSae + j];
        }
        double pre = scale[j] * m + shift[j];
        boolean gateOpen = m + gate[j] > 0;
        boolean expectFires = pre > threshold[j] && gateOpen;
        if (Math.abs(pre - threshold[j]) < 1e-4 || Math.abs(m + gate[j]) < 1e-4) {
          continue; // at an edge: float and double may disagree
        }
        String at = "seed " + seed + " row " + row + " latent " + j;
        assertEquals(expectFires ? pre : 0, scalar.get(row, j), 1e-4, at + " (scalar)");
        assertEquals(expectFires ? pre : 0, vector.get(row, j), 1e-4, at + " (vector)");
        fired += expectFires ? 1 : 0;
        gatedOff += !gateOpen && pre > threshold[j] ? 1 : 0;
      }
    }
    assertTrue(fired > 20 && gatedOff > 20, "seed " + seed + ": " + fired + " fired, " + gatedOff
        + " closed by the gate alone; the test must exercise both");
    // pre-activations are the affine form, gate or not
    float[] preScalar = new ScalarSaeKernel(w).preActivations(z, rows);
    float[] preVector = KernelChoice.vectorAvailable() ? KernelChoice.VECTOR.create(w).preActivations(z, rows) : preScalar;
    for (int i = 0; i < preScalar.length; i++) {
      assertEquals(preScalar[i], preVector[i], 1e-5 * Math.max(1, Math.abs(preScalar[i])), "pre " + i);
    }
  }

  @Test
  void shapes_and_top_k_are_checked_against_the_config() {
    SaeConfig cfg = new SaeConfig(SaeArchitecture.TOPK, 2, 3, HookPoint.visionResidPost(1), true, 2, "float32", "");
    var noTopK = assertThrows(InvalidInputException.class,
        () -> SaeWeights.of(cfg, new float[6], new float[6], new float[2], LatentActivation.relu(new float[3])));
    assertTrue(noTopK.getMessage().contains("keeps the top 0 latents per row but the SAE config says k 2"), noTopK.getMessage());
    assertNotNull(SaeWeights.of(cfg, new float[6], new float[6], new float[2], LatentActivation.relu(new float[3]).withTopK(2)));
    var wide = assertThrows(InvalidInputException.class,
        () -> SaeWeights.of(cfg, new float[6], new float[6], new float[2], LatentActivation.relu(new float[4]).withTopK(2)));
    assertTrue(wide.getMessage().contains("cover 4 latents but the SAE config says d_sae 3"), wide.getMessage());
    var nan = assertThrows(InvalidInputException.class, () -> SaeWeights.of(cfg, new float[6], new float[6], new float[2],
        LatentActivation.relu(new float[] {0, Float.NaN, 0}).withTopK(2)));
    assertTrue(nan.getMessage().contains("shift of latent 1 (NaN) must be finite"), nan.getMessage());
    assertThrows(InvalidInputException.class, () -> LatentActivation.of(new float[2], new float[3], null));
  }
}
