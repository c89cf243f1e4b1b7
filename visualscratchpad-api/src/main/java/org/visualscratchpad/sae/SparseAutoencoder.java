package org.visualscratchpad.sae;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * A sparse autoencoder over one hook point, with row-vector conventions (as SAELens):
 *
 * <pre>
 *   pre      = (z - b_dec * applyBDecToInput) W_enc + b_enc      W_enc [d_in, d_sae]
 *   h        = act(pre)                                          as its architecture defines
 *   decode(h)= h W_dec + b_dec                                   W_dec [d_sae, d_in]
 *   error    = z - decode(h)
 * </pre>
 *
 * <p>The activation (relu, topk, jumprelu, gated, ...) is its {@link SaeConfig#architecture()}'s; the
 * pure-Java implementation in {@code visualscratchpad-sae} takes it from the architecture's registered
 * type. Implementations are immutable after loading and safe for concurrent use. A call that throws
 * (bad shape, NaN input, latent out of range) leaves the SAE usable.
 *
 * <pre>{@code
 * jshell> var sae = SaeLoader.load(Path.of("sae"))          // visualscratchpad-sae
 * jshell> var z = FloatMatrix.of(37, sae.dIn(), new float[37 * sae.dIn()])
 * jshell> SparseActivations h = sae.encode(z)                // [37 x d_sae], sparse
 * jshell> FloatMatrix zPrime = sae.intervene(z, 0, InterventionPlan.of(LatentIntervention.ablate(List.of(5))))
 * }</pre>
 */
public interface SparseAutoencoder {

  /** The SAE's configuration. */
  SaeConfig config();

  /** Width of the input ({@code d_in}). */
  default int dIn() {
    return config().dIn();
  }

  /** Number of latents ({@code d_sae}). */
  default int dSae() {
    return config().dSae();
  }

  /**
   * Encodes rows of the hooked stream to sparse latent activations.
   *
   * @param input {@code [tokens x d_in]}
   * @return {@code [tokens x d_sae]}, sparse
   * @throws InvalidInputException if {@code input.cols() != d_in} or it holds NaN or infinity
   */
  SparseActivations encode(FloatMatrix input);

  /**
   * The dense pre-activations {@code [tokens x d_sae]}; for inspection and parity checks, not for
   * hot paths (it allocates the dense matrix).
   */
  FloatMatrix preActivations(FloatMatrix input);

  /**
   * The reconstruction {@code h W_dec + b_dec}.
   *
   * @param codes {@code [tokens x d_sae]}
   * @return {@code [tokens x d_in]}
   */
  FloatMatrix decode(SparseActivations codes);

  /**
   * The edited stream {@code z'} for one crop under {@code plan}, given the crop's codes {@code h =
   * encode(input)} (passed in so that a caller who already encoded does not encode twice). With
   * the error term kept: {@code z' = z + (h' - h) W_dec}, computed over the changed entries only,
   * and exactly {@code z} when nothing changes.
   *
   * @param input {@code [tokens x d_in]}; row 0 is CLS where the tower has one (see {@link
   *     org.visualscratchpad.intervention.TokenScope} for towers without)
   * @param codes {@code encode(input)}
   * @param crop the crop index, for scopes that name patches
   * @param plan the edits
   * @return {@code [tokens x d_in]}
   * @throws InvalidInputException if a latent id is {@code >= d_sae} or shapes disagree
   */
  FloatMatrix intervene(FloatMatrix input, SparseActivations codes, int crop, InterventionPlan plan);

  /**
   * The codes {@code h'} a plan feeds the model for one crop: {@code codes} with the plan's edits
   * applied in order on the rows their scopes include (an ablated latent reads 0, a set one its
   * value). This is what {@link #intervene} decodes (with the error term dropped) or adds as {@code
   * (h' - h) W_dec} (error term kept); it is not the encoding of the edited stream, in which an
   * ablated latent can be active again.
   *
   * @param codes {@code [tokens x d_sae]}, e.g. {@code encode(input)}
   * @param crop the crop index, for scopes that name patches
   * @return {@code [tokens x d_sae]}; {@code codes} itself when the plan has no edit
   * @throws InvalidInputException if a latent id is {@code >= d_sae} or the codes are another SAE's
   */
  default SparseActivations editCodes(SparseActivations codes, int crop, InterventionPlan plan) {
    InvalidInputException.check(codes != null && plan != null, "codes and plan must not be null");
    InvalidInputException.check(codes.dSae() == dSae(),
        "SAE codes d_sae (%s) must equal this SAE's d_sae (%s). Were they encoded by another SAE?", codes.dSae(), dSae());
    InvalidInputException.check(crop >= 0, "crop index (%s) must be >= 0", crop);
    if (plan.edits().isEmpty()) {
      return codes;
    }
    for (org.visualscratchpad.intervention.LatentIntervention e : plan.edits()) {
      e.latentIds().forEach(this::checkLatent);
    }
    SparseActivations.Builder out = SparseActivations.builder(dSae());
    for (int row = 0; row < codes.rows(); row++) {
      java.util.TreeMap<Integer, Float> values = new java.util.TreeMap<>();
      for (int i = codes.rowStart(row); i < codes.rowEnd(row); i++) {
        values.put(codes.latentAt(i), codes.valueAt(i));
      }
      for (org.visualscratchpad.intervention.LatentIntervention e : plan.edits()) {
        if (e.scope().includes(crop, row)) {
          for (int latentId : e.latentIds()) {
            values.put(latentId, e.edit(values.getOrDefault(latentId, 0f)));
          }
        }
      }
      values.values().removeIf(v -> v == 0f);
      int[] ids = new int[values.size()];
      float[] vals = new float[values.size()];
      int n = 0;
      for (var entry : values.entrySet()) {
        ids[n] = entry.getKey();
        vals[n++] = entry.getValue();
      }
      out.addRow(ids, vals, n);
    }
    return out.build();
  }

  /** {@link #intervene(FloatMatrix, SparseActivations, int, InterventionPlan)} encoding first. */
  default FloatMatrix intervene(FloatMatrix input, int crop, InterventionPlan plan) {
    return intervene(input, encode(input), crop, plan);
  }

  /** A copy of latent {@code latentId}'s decoder direction {@code W_dec[latentId]}, length {@code d_in}. */
  float[] decoderDirection(int latentId);

  /** Checks that {@code latentId} lies in {@code [0, d_sae)}. */
  default void checkLatent(int latentId) {
    InvalidInputException.check(latentId >= 0 && latentId < dSae(),
        "latent id (%s) must be less than d_sae (%s)", latentId, dSae());
  }
}
