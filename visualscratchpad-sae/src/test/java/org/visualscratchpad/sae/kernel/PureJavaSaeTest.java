package org.visualscratchpad.sae.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;
import org.visualscratchpad.intervention.TokenScope.PatchRef;
import org.visualscratchpad.sae.architecture.SaeTypes;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.tensor.FloatMatrix;

/** Interventions against a dense, double-precision evaluation of the formulas, on seeded random SAEs. */
class PureJavaSaeTest {

  private static PureJavaSae sae(long seed, KernelChoice k) {
    return PureJavaSae.create(RandomSae.weights(seed, SaeTypes.STANDARD, 24, 70, 0, true), k);
  }

  private static KernelChoice[] kernels() {
    return KernelChoice.vectorAvailable() ? new KernelChoice[] {KernelChoice.SCALAR, KernelChoice.VECTOR}
        : new KernelChoice[] {KernelChoice.SCALAR};
  }

  /** h' per the plan, densely, in the order of the edits. */
  private static float[][] editedDense(SparseActivations h, int crop, InterventionPlan plan) {
    float[][] d = new float[h.rows()][h.dSae()];
    for (int r = 0; r < h.rows(); r++) {
      for (int i = h.rowStart(r); i < h.rowEnd(r); i++) {
        d[r][h.latentAt(i)] = h.valueAt(i);
      }
      for (LatentIntervention e : plan.edits()) {
        if (e.scope().includes(crop, r)) {
          for (int id : e.latentIds()) {
            d[r][id] = e.edit(d[r][id]);
          }
        }
      }
    }
    return d;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13})
  void every_edit_kind_and_scope_matches_the_dense_formula_and_untouched_rows_stay_bit_identical(long seed) {
    for (KernelChoice k : kernels()) {
      PureJavaSae sae = sae(seed, k);
      FloatMatrix z = RandomSae.input(seed, 19, 24);
      SparseActivations h = sae.encode(z);
      int crop = 2;
      InterventionPlan plan = InterventionPlan.of(
          LatentIntervention.ablate(List.of(h.rowLatents(3).length > 0 ? h.rowLatents(3)[0] : 0, 5)),
          LatentIntervention.scale(List.of(7, 8), 2.5f, TokenScope.patchesOnly()),
          LatentIntervention.setValue(List.of(9), 1.75f,
              TokenScope.patches(List.of(new PatchRef(crop, 4), new PatchRef(crop, 10), new PatchRef(0, 0)))),
          LatentIntervention.addDirection(7, -0.5f, TokenScope.allTokens()));
      float[][] hPrime = editedDense(h, crop, plan);
      float[][] w = new float[70][];
      for (int j = 0; j < 70; j++) {
        w[j] = sae.decoderDirection(j);
      }
      FloatMatrix keep = sae.intervene(z, h, crop, plan);
      FloatMatrix drop = sae.intervene(z, h, crop, plan.withErrorTerm(ErrorTerm.DROP));
      float[] bDec = sae.kernel().weights().decoderBias();
      for (int r = 0; r < 19; r++) {
        boolean changed = false;
        for (int c = 0; c < 24; c++) {
          double delta = 0;
          double recon = bDec[c];
          for (int j = 0; j < 70; j++) {
            delta += (double) (hPrime[r][j] - h.get(r, j)) * w[j][c];
            recon += (double) hPrime[r][j] * w[j][c];
            changed |= hPrime[r][j] != h.get(r, j);
          }
          String at = k + " seed " + seed + " row " + r + " col " + c;
          assertEquals(z.get(r, c) + delta, keep.get(r, c), 1e-5, at + " (error term kept)");
          assertEquals(recon, drop.get(r, c), 1e-5, at + " (error term dropped)");
        }
        if (!changed) {
          assertArrayEquals(z.row(r), keep.row(r), k + " row " + r + " has no changed latent: bit-identical");
        }
      }
      assertTrue(keep.maxAbsDiff(z) > 0, "the plan changes something");
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {21, 22})
  void ablating_latents_that_never_fire_reproduces_the_baseline_bit_for_bit(long seed) {
    for (KernelChoice k : kernels()) {
      PureJavaSae sae = sae(seed, k);
      FloatMatrix z = RandomSae.input(seed, 9, 24);
      SparseActivations h = sae.encode(z);
      boolean[] fires = new boolean[70];
      for (int i = 0; i < h.nnz(); i++) {
        fires[h.latentAt(i)] = true;
      }
      List<Integer> silent = new java.util.ArrayList<>();
      for (int j = 0; j < 70 && silent.size() < 5; j++) {
        if (!fires[j]) {
          silent.add(j);
        }
      }
      assertEquals(z, sae.intervene(z, h, 0, InterventionPlan.of(LatentIntervention.ablate(silent))));
      assertEquals(z, sae.intervene(z, 0, InterventionPlan.none()));
    }
  }
}
