package org.visualscratchpad.benchmarks;

import java.util.SplittableRandom;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.kernel.LatentActivation;
import org.visualscratchpad.sae.kernel.SaeWeights;

/**
 * Seeded synthetic SAEs of CLIP-ViT-L size for the benchmarks: {@code W_enc}, {@code W_dec} uniform
 * with variance {@code 1/d_in}, inputs uniform with unit variance, so pre-activations are about
 * N(0, 1); {@code b_enc = -1.81} then makes about 3.5 % of the latents fire (inside the 2-5 % the
 * benchmarks call for; the run prints the measured density).
 */
final class SaeFixture {
  static final int D_IN = 1024;
  static final int D_SAE = 32768;
  static final long SEED = 20240611L;
  static final float B_ENC = -1.81f;

  private SaeFixture() {}

  static float[] uniform(SplittableRandom rnd, int n, double std) {
    float half = (float) (Math.sqrt(3.0) * std);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1) * half;
    }
    return a;
  }

  /** The raw parameter arrays (SAELens layout), for contenders that take them directly. */
  record Raw(float[] wEnc, float[] bEnc, float[] wDec, float[] bDec) {
    SaeWeights weights() {
      SaeConfig cfg = new SaeConfig(SaeArchitecture.STANDARD, D_IN, D_SAE, HookPoint.visionResidPost(22), true, 0,
          "float32", "synthetic, seed " + SEED);
      return SaeWeights.of(cfg, wEnc, wDec, bDec, LatentActivation.relu(bEnc));
    }
  }

  static Raw raw() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    double std = 1.0 / Math.sqrt(D_IN);
    float[] wEnc = uniform(rnd, D_IN * D_SAE, std); // (d_in, d_sae)
    float[] wDec = uniform(rnd, D_IN * D_SAE, std); // (d_sae, d_in)
    float[] bEnc = new float[D_SAE];
    java.util.Arrays.fill(bEnc, B_ENC);
    float[] bDec = uniform(rnd, D_IN, 0.01);
    return new Raw(wEnc, bEnc, wDec, bDec);
  }

  static SaeWeights weights() {
    return raw().weights();
  }

  /** {@code [tokens x d_in]} inputs with unit variance. */
  static float[] input(int tokens) {
    return uniform(new SplittableRandom(SEED + tokens), tokens * D_IN, 1.0);
  }

  /** Random sparse codes: each row has {@code round(density * d_sae)} distinct latents, values in (0, 4]. */
  static SparseActivations codes(int tokens, double density, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int perRow = (int) Math.round(density * D_SAE);
    SparseActivations.Builder b = SparseActivations.builder(D_SAE);
    int[] ids = new int[perRow];
    float[] vals = new float[perRow];
    boolean[] taken = new boolean[D_SAE];
    for (int row = 0; row < tokens; row++) {
      int n = 0;
      while (n < perRow) {
        int id = rnd.nextInt(D_SAE);
        if (!taken[id]) {
          taken[id] = true;
          ids[n++] = id;
        }
      }
      java.util.Arrays.sort(ids);
      for (int i = 0; i < perRow; i++) {
        taken[ids[i]] = false;
        vals[i] = (float) (1e-3 + 4 * rnd.nextDouble());
      }
      b.addRow(ids, vals, perRow);
    }
    return b.build();
  }
}
