package org.visualscratchpad.sae.kernel;

import java.util.Arrays;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/**
 * What an SAE's encoder does after the product its architectures share, {@code m = (z - b_dec *
 * apply) W_enc}: per latent {@code j} an affine pre-activation, a cut-off, an optional gate on the
 * product, then optionally the row's top {@code k}.
 *
 * <pre>
 *   pre[j]   = scale[j] * m[j] + shift[j]          scale 1 when absent
 *   h[j]     = pre[j]  if pre[j] > cutoff[j] and (no gate or m[j] + gate[j] > 0), else 0
 *   then, if k > 0, each row keeps its k largest h (ties towards the lower latent id)
 * </pre>
 *
 * <p>This is the general form of the encoders SAELens ships for inference: ReLU ({@code shift =
 * b_enc}, cut-off 0), TopK (the same with {@code k}), JumpReLU (cut-off {@code max(0, threshold)}),
 * and gated ones ({@code scale = exp(r_mag)}, {@code shift = b_mag}, {@code gate = b_gate}). The
 * architecture types ({@code org.visualscratchpad.sae.architecture}) build one from their
 * parameters; both kernels compute it (the Vector API one as vector operations on each tile), so a
 * new architecture of this form needs no kernel change. A kernel's {@code preActivations} are the
 * {@code pre} above.
 *
 * <pre>{@code
 * jshell> LatentActivation.relu(new float[] {-1f, 0.5f}).withTopK(1)
 * $1 ==> LatentActivation[2 latents, pre = m + shift, cut-off 0, top 1 per row]
 * }</pre>
 *
 * <p>The arrays are taken over, not copied; immutable by contract and thread-safe.
 */
public final class LatentActivation {
  final float[] scale; // (d_sae) or null
  final float[] shift; // (d_sae)
  final float[] gate; // (d_sae) or null
  final float[] cutoff; // (d_sae)
  final int topK;

  private LatentActivation(float[] scale, float[] shift, float[] gate, float[] cutoff, int topK) {
    this.scale = scale;
    this.shift = shift;
    this.gate = gate;
    this.cutoff = cutoff;
    this.topK = topK;
  }

  /**
   * {@code h = relu(m + bias)}.
   *
   * @param bias {@code [d_sae]}, taken over
   * @throws InvalidInputException if {@code bias} is null or empty
   */
  public static LatentActivation relu(float[] bias) {
    InvalidInputException.check(bias != null && bias.length > 0, "the encoder bias must hold one value per latent");
    return new LatentActivation(null, bias, null, new float[bias.length], 0);
  }

  /**
   * The general form: {@code pre = scale * m + shift}, firing where {@code pre > 0} and, with a
   * gate, {@code m + gate > 0} (e.g. gated SAEs: {@code scale = exp(r_mag)}, {@code shift = b_mag},
   * {@code gate = b_gate}).
   *
   * @param scale {@code [d_sae]}, or null for 1
   * @param shift {@code [d_sae]}
   * @param gate {@code [d_sae]}, or null for no gate
   * @throws InvalidInputException if the lengths differ
   */
  public static LatentActivation of(float[] scale, float[] shift, float[] gate) {
    InvalidInputException.check(shift != null && shift.length > 0, "the pre-activation shift must hold one value per latent");
    InvalidInputException.check((scale == null || scale.length == shift.length) && (gate == null || gate.length == shift.length),
        "scale (%s), shift (%s) and gate (%s) must have one value per latent", scale == null ? "none" : scale.length,
        shift.length, gate == null ? "none" : gate.length);
    return new LatentActivation(scale, shift, gate, new float[shift.length], 0);
  }

  /**
   * These activations with per-latent cut-offs: latent {@code j} fires only where {@code pre[j] >
   * max(0, threshold[j])} (JumpReLU as SAELens computes it, {@code relu(pre) * (pre > threshold)}).
   *
   * @throws InvalidInputException if the length differs from d_sae
   */
  public LatentActivation withThresholds(float[] threshold) {
    InvalidInputException.check(threshold.length == shift.length, "threshold (%s values) must have one per latent (%s)",
        threshold.length, shift.length);
    float[] cut = new float[threshold.length];
    for (int latentId = 0; latentId < cut.length; latentId++) {
      cut[latentId] = Math.max(0f, threshold[latentId]);
    }
    return new LatentActivation(scale, shift, gate, cut, topK);
  }

  /**
   * These activations keeping the {@code k} largest of each row.
   *
   * @throws InvalidInputException if {@code k} is not in [1, d_sae]
   */
  public LatentActivation withTopK(int k) {
    InvalidInputException.check(k >= 1 && k <= shift.length, "k (%s) must lie in [1, d_sae = %s]", k, shift.length);
    return new LatentActivation(scale, shift, gate, cutoff, k);
  }

  /** Number of latents. */
  public int dSae() {
    return shift.length;
  }

  /** The k of the row top-k, 0 when every latent above its cut-off is kept. */
  public int topK() {
    return topK;
  }

  /** Checks that every value is finite (a checkpoint with NaN would make every encode NaN). */
  void checkFinite() {
    check("scale", scale);
    check("shift", shift);
    check("gate", gate);
    check("cut-off", cutoff);
  }

  private static void check(String name, float[] a) {
    if (a == null) {
      return;
    }
    for (int latentId = 0; latentId < a.length; latentId++) {
      if (!Float.isFinite(a[latentId])) {
        throw new InvalidInputException(String.format(Locale.ROOT,
            "the encoder's %s of latent %d (%s) must be finite; the checkpoint holds NaN or infinity", name, latentId,
            a[latentId]));
      }
    }
  }

  /** {@code pre} of latent {@code latentId} from its product {@code m}. */
  float pre(int latentId, float m) {
    return scale == null ? m + shift[latentId] : scale[latentId] * m + shift[latentId];
  }

  /** Whether latent {@code latentId} fires, given its product {@code m} and {@code pre}. */
  boolean fires(int latentId, float m, float pre) {
    return pre > cutoff[latentId] && (gate == null || m + gate[latentId] > 0f);
  }

  /** A copy of {@code shift}. */
  float[] shift() {
    return shift.clone();
  }

  @Override
  public String toString() {
    boolean cut = false;
    for (float c : cutoff) {
      cut |= c != 0f;
    }
    return String.format(Locale.ROOT, "LatentActivation[%d latents, pre = %s, cut-off %s%s%s]", shift.length,
        scale == null ? "m + shift" : "scale * m + shift", cut ? "per latent" : "0", gate == null ? "" : ", gated",
        topK > 0 ? ", top " + topK + " per row" : "");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatentActivation a && a.topK == topK && Arrays.equals(a.scale, scale) && Arrays.equals(a.shift, shift)
        && Arrays.equals(a.gate, gate) && Arrays.equals(a.cutoff, cutoff);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(shift) * 31 + topK;
  }
}
