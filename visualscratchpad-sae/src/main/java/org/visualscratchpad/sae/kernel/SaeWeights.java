package org.visualscratchpad.sae.kernel;

import java.util.Locale;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;

/**
 * The parameters of one SAE in SAELens' row-vector layout, float32, validated against its {@link
 * SaeConfig}:
 *
 * <pre>
 *   W_enc     [d_in, d_sae]   row-major
 *   b_enc     [d_sae]
 *   W_dec     [d_sae, d_in]   row-major (row j is latent j's decoder direction)
 *   b_dec     [d_in]
 *   threshold [d_sae]         jumprelu only, else null
 * </pre>
 *
 * <p>The arrays are taken over, not copied (they can be hundreds of MiB): the producer must not
 * touch them afterwards. Kernels read them and never write them. Immutable by contract and
 * thread-safe.
 *
 * <pre>{@code
 * jshell> var cfg = new SaeConfig(SaeArchitecture.STANDARD, 2, 3, HookPoint.visionResidPost(1), true, 0, "float32", "");
 * jshell> var w = SaeWeights.of(cfg, new float[6], new float[3], new float[6], new float[2], null)
 * w ==> SaeWeights[standard, d_in 2, d_sae 3, vision.blocks.1.hook_resid_post]
 * }</pre>
 */
public final class SaeWeights {
  private final SaeConfig config;
  final float[] wEnc; // (d_in, d_sae)
  final float[] bEnc; // (d_sae)
  final float[] wDec; // (d_sae, d_in)
  final float[] bDec; // (d_in)
  final float[] threshold; // (d_sae) or null

  private SaeWeights(SaeConfig config, float[] wEnc, float[] bEnc, float[] wDec, float[] bDec, float[] threshold) {
    this.config = config;
    this.wEnc = wEnc;
    this.bEnc = bEnc;
    this.wDec = wDec;
    this.bDec = bDec;
    this.threshold = threshold;
  }

  /**
   * Wraps the given arrays (without copying) after checking every length against {@code config}.
   *
   * @param threshold required for {@link SaeArchitecture#JUMPRELU}, must be null otherwise
   * @throws InvalidInputException if a length disagrees with {@code config} or a value is not finite
   */
  public static SaeWeights of(SaeConfig config, float[] wEnc, float[] bEnc, float[] wDec, float[] bDec,
      float[] threshold) {
    InvalidInputException.check(config != null, "SAE config must not be null");
    int dIn = config.dIn();
    int dSae = config.dSae();
    long mat = (long) dIn * dSae;
    checkLength("W_enc", wEnc, mat, "[" + dIn + ", " + dSae + "]");
    checkLength("b_enc", bEnc, dSae, "[" + dSae + "]");
    checkLength("W_dec", wDec, mat, "[" + dSae + ", " + dIn + "]");
    checkLength("b_dec", bDec, dIn, "[" + dIn + "]");
    if (config.architecture() == SaeArchitecture.JUMPRELU) {
      InvalidInputException.check(threshold != null,
          "a jumprelu SAE needs a threshold tensor [%s]; none was given. Load the SAE's threshold too.", dSae);
      checkLength("threshold", threshold, dSae, "[" + dSae + "]");
    } else {
      InvalidInputException.check(threshold == null,
          "threshold applies only to jumprelu SAEs, not %s", config.architecture().cfgName());
    }
    return new SaeWeights(config, wEnc, bEnc, wDec, bDec, threshold);
  }

  private static void checkLength(String name, float[] a, long expected, String shape) {
    InvalidInputException.check(a != null, "%s must not be null; expected shape %s", name, shape);
    InvalidInputException.check(a.length == expected,
        "%s length (%s) must equal %s elements (shape %s) as the SAE config says. Check d_in/d_sae in the config.",
        name, a.length, expected, shape);
  }

  /**
   * The same parameters without the original {@code W_enc} (for a kernel that keeps its own packed
   * copy, so that the original layout can be freed). Kernels cannot be built from the result.
   */
  SaeWeights withoutEncoderMatrix() {
    return new SaeWeights(config, null, bEnc, wDec, bDec, threshold);
  }

  /** Whether {@code W_enc} in its original layout is still held (see {@link #withoutEncoderMatrix}). */
  boolean hasEncoderMatrix() {
    return wEnc != null;
  }

  /** The configuration these weights belong to. */
  public SaeConfig config() {
    return config;
  }

  public int dIn() {
    return config.dIn();
  }

  public int dSae() {
    return config.dSae();
  }

  /**
   * The activation cut-off of each latent: latent {@code j} is active iff {@code pre[j] >
   * cutoff[j]}. It is 0 for relu and topk (topk then keeps the k largest) and {@code max(0,
   * threshold[j])} for jumprelu ({@code relu(pre) * (pre > threshold)} as SAELens computes it).
   *
   * @return a new array {@code [d_sae]}
   */
  public float[] activationCutoffs() {
    float[] cut = new float[dSae()];
    if (threshold != null) {
      for (int latentId = 0; latentId < cut.length; latentId++) {
        cut[latentId] = Math.max(0f, threshold[latentId]);
      }
    }
    return cut;
  }

  /** A copy of {@code W_dec[latentId]}, length {@code d_in}. */
  public float[] decoderRow(int latentId) {
    float[] row = new float[dIn()];
    System.arraycopy(wDec, latentId * dIn(), row, 0, dIn());
    return row;
  }

  /** A copy of {@code b_enc}, length {@code d_sae}. */
  public float[] encoderBias() {
    return bEnc.clone();
  }

  /** A copy of {@code b_dec}, length {@code d_in}. */
  public float[] decoderBias() {
    return bDec.clone();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "SaeWeights[%s, d_in %d, d_sae %d, %s]",
        config.architecture().cfgName(), dIn(), dSae(), config.hookPoint());
  }
}
