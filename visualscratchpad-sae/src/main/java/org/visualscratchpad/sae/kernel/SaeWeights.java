package org.visualscratchpad.sae.kernel;

import java.util.Locale;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SaeConfig;

/**
 * The parameters of one SAE in SAELens' row-vector layout, float32, validated against its {@link
 * SaeConfig}: the matrices and decoder bias every architecture has, and the per-latent rest of its
 * encoder as a {@link LatentActivation} (built by the architecture's type from its own parameters:
 * {@code b_enc}, {@code threshold}, {@code b_gate}, ...).
 *
 * <pre>
 *   W_enc      [d_in, d_sae]   row-major
 *   W_dec      [d_sae, d_in]   row-major (row j is latent j's decoder direction)
 *   b_dec      [d_in]
 *   activation [d_sae] each    pre = scale * (z - b_dec * apply) W_enc + shift, cut-offs, gate, top-k
 * </pre>
 *
 * <p>The arrays are taken over, not copied (they can be hundreds of MiB): the producer must not
 * touch them afterwards. Kernels read them and never write them. Immutable by contract and
 * thread-safe.
 *
 * <pre>{@code
 * jshell> var cfg = new SaeConfig(SaeArchitecture.STANDARD, 2, 3, HookPoint.visionResidPost(1), true, 0, "float32", "");
 * jshell> var w = SaeWeights.of(cfg, new float[6], new float[6], new float[2], LatentActivation.relu(new float[3]))
 * w ==> SaeWeights[standard, d_in 2, d_sae 3, vision.blocks.1.hook_resid_post]
 * }</pre>
 */
public final class SaeWeights {
  private final SaeConfig config;
  final float[] wEnc; // (d_in, d_sae)
  final float[] wDec; // (d_sae, d_in)
  final float[] bDec; // (d_in)
  final LatentActivation activation;

  private SaeWeights(SaeConfig config, float[] wEnc, float[] wDec, float[] bDec, LatentActivation activation) {
    this.config = config;
    this.wEnc = wEnc;
    this.wDec = wDec;
    this.bDec = bDec;
    this.activation = activation;
  }

  /**
   * Wraps the given arrays (without copying) after checking every length against {@code config}.
   *
   * @param activation the architecture's per-latent encoder (its top-k must be {@code config.k()})
   * @throws InvalidInputException if a length disagrees with {@code config} or a value is not finite
   */
  public static SaeWeights of(SaeConfig config, float[] wEnc, float[] wDec, float[] bDec, LatentActivation activation) {
    InvalidInputException.check(config != null, "SAE config must not be null");
    InvalidInputException.check(activation != null, "the SAE's latent activation must not be null");
    int dIn = config.dIn();
    int dSae = config.dSae();
    long mat = (long) dIn * dSae;
    checkLength("W_enc", wEnc, mat, "[" + dIn + ", " + dSae + "]");
    checkLength("W_dec", wDec, mat, "[" + dSae + ", " + dIn + "]");
    checkLength("b_dec", bDec, dIn, "[" + dIn + "]");
    InvalidInputException.check(activation.dSae() == dSae,
        "the encoder's per-latent parameters cover %s latents but the SAE config says d_sae %s", activation.dSae(), dSae);
    InvalidInputException.check(activation.topK() == config.k(),
        "the encoder keeps the top %s latents per row but the SAE config says k %s (0 = no top-k)", activation.topK(),
        config.k());
    activation.checkFinite();
    return new SaeWeights(config, wEnc, wDec, bDec, activation);
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
    return new SaeWeights(config, null, wDec, bDec, activation);
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

  /** The per-latent rest of the encoder. */
  public LatentActivation activation() {
    return activation;
  }

  /** A copy of {@code W_dec[latentId]}, length {@code d_in}. */
  public float[] decoderRow(int latentId) {
    float[] row = new float[dIn()];
    System.arraycopy(wDec, latentId * dIn(), row, 0, dIn());
    return row;
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
