package org.visualscratchpad.torch.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.hook.Tower;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.nn.Nd;

/**
 * An SAE at its hook point on the vision tower for one call: the stream {@code z} of every crop is
 * recorded and, unless the plan is the identity, replaced by {@code sae.intervene(z, crop, plan)}.
 *
 * <p>Towers without a CLS token (SigLIP): the recorded {@code z} has only patch rows (row {@code k} = patch
 * {@code k}); a plan's {@code TokenScope} addresses rows with CLS at 0, so each crop is edited as {@code [0;
 * z]} (an empty CLS slot in front, whose output is dropped; the SAE works row by row, so the patch rows are
 * exactly what they would be alone) and {@code patchesOnly} and {@code PatchRef(crop, k)} reach patch {@code k}.
 *
 * <pre>{@code
 * jshell> new SaeTap(sae, InterventionPlan.of(LatentIntervention.ablate(List.of(196, 96, 173))))
 * }</pre>
 *
 * @param sae the SAE; its config's hook point says where it reads
 * @param plan the edits (identity = read only)
 */
public record SaeTap(SparseAutoencoder sae, InterventionPlan plan) {
  public SaeTap {
    InvalidInputException.check(sae != null, "SAE must not be null");
    plan = plan == null ? InterventionPlan.none() : plan;
  }

  /** Read only: record the stream, change nothing. */
  public static SaeTap read(SparseAutoencoder sae) {
    return new SaeTap(sae, InterventionPlan.none());
  }

  /** Where the SAE reads. */
  public HookPoint hookPoint() {
    return sae.config().hookPoint();
  }

  /**
   * Checks the tap against a vision tower of {@code layers} layers of width {@code dModel}; returns
   * the {@code hidden_states} index it reads.
   *
   * @throws InvalidInputException if the hook is not on the vision tower, lies beyond it, or the
   *     SAE's {@code d_in} differs from the tower's width
   */
  public int checkAgainst(int layers, int dModel) {
    HookPoint hook = hookPoint();
    InvalidInputException.check(hook.tower() == Tower.VISION,
        "SAE hook point (%s) must be on the vision tower, e.g. vision.blocks.%s.hook_resid_post", hook, layers - 2);
    InvalidInputException.check(hook.layer() < layers,
        "SAE hook layer (%s) of %s must be less than the vision tower's %s layers (0..%s). Was this SAE trained on "
            + "another model?", hook.layer(), hook, layers, layers - 1);
    InvalidInputException.check(sae.dIn() == dModel,
        "SAE d_in (%s) does not match hook point %s (d_model %s). Was this SAE trained on another model?",
        sae.dIn(), hook, dModel);
    return hook.hiddenStatesIndex();
  }

  /**
   * Applies the tap to the stream {@code x [crops, tokens, d]}: appends each crop's stream to
   * {@code hooked}, and returns {@code x} itself for the identity plan (bit for bit), otherwise a new
   * array (in {@code x}'s manager) of {@code sae.intervene(z, cropIndex(c), plan)} per crop, which
   * it also appends to {@code edited}.
   *
   * @param cropIndex the crop index the plan sees for row {@code c} of {@code x} (its crop within its image)
   */
  public NDArray apply(NDArray x, IntUnaryOperator cropIndex, List<FloatMatrix> hooked, List<FloatMatrix> edited) {
    int n = (int) x.getShape().get(0);
    List<FloatMatrix> zs = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      zs.add(Nd.matrix(x.get(c)));
    }
    hooked.addAll(zs);
    if (plan.isIdentity()) {
      edited.addAll(zs);
      return x;
    }
    long tokens = x.getShape().get(1);
    long d = x.getShape().get(2);
    float[] out = new float[(int) (n * tokens * d)];
    for (int c = 0; c < n; c++) {
      FloatMatrix z2 = sae.intervene(zs.get(c), cropIndex.applyAsInt(c), plan);
      InvalidInputException.check(z2.rows() == tokens && z2.cols() == d,
          "the SAE returned a [%s x %s] stream for a [%s x %s] crop", z2.rows(), z2.cols(), tokens, d);
      edited.add(z2);
      z2.copyInto(out, (int) (c * tokens * d));
    }
    return x.getManager().create(out, new Shape(n, tokens, d));
  }

  /**
   * Applies the tap to a CPU-engine stream in place of its rows (crops of any row count): appends each crop's
   * rows to {@code hooked}; for a plan other than the identity replaces them by the edited stream and appends
   * that to {@code edited} (else appends the same matrices).
   *
   * @param cls whether each crop's rows start with CLS; without, interventions see an empty CLS slot (see above)
   */
  public void apply(org.visualscratchpad.torch.cpu.VisionStream x, boolean cls, List<FloatMatrix> hooked,
      List<FloatMatrix> edited) {
    int d = x.width();
    List<FloatMatrix> zs = new ArrayList<>();
    for (int c = 0; c < x.crops(); c++) {
      zs.add(x.crop(c));
    }
    hooked.addAll(zs);
    if (plan.isIdentity()) {
      edited.addAll(zs);
      return;
    }
    float[] out = new float[x.data().length];
    for (int c = 0; c < x.crops(); c++) {
      FloatMatrix z = zs.get(c);
      int rows = z.rows();
      FloatMatrix z2;
      if (cls) {
        z2 = sae.intervene(z, x.cropInImage(c), plan);
      } else {
        float[] padded = new float[(rows + 1) * d];
        z.copyInto(padded, d);
        z2 = sae.intervene(FloatMatrix.adopt(rows + 1, d, padded), x.cropInImage(c), plan);
        InvalidInputException.check(z2.rows() == rows + 1 && z2.cols() == d,
            "the SAE returned a [%s x %s] stream for a [%s x %s] crop", z2.rows(), z2.cols(), rows + 1, d);
        z2 = z2.rowRange(1, rows + 1);
      }
      InvalidInputException.check(z2.rows() == rows && z2.cols() == d,
          "the SAE returned a [%s x %s] stream for a [%s x %s] crop", z2.rows(), z2.cols(), rows, d);
      edited.add(z2);
      z2.copyInto(out, x.offset(c) * d);
    }
    x.set(out);
  }

  /**
   * {@link #apply(NDArray, IntUnaryOperator, List, List)} on a plain stream {@code x [crops, tokens, d]}:
   * returns {@code x} itself for the identity plan, else a new array with each crop's edited stream.
   */
  public float[] apply(float[] x, int crops, int tokens, int d, IntUnaryOperator cropIndex, List<FloatMatrix> hooked,
      List<FloatMatrix> edited) {
    int size = tokens * d;
    List<FloatMatrix> zs = new ArrayList<>();
    for (int c = 0; c < crops; c++) {
      zs.add(FloatMatrix.adopt(tokens, d, java.util.Arrays.copyOfRange(x, c * size, (c + 1) * size)));
    }
    hooked.addAll(zs);
    if (plan.isIdentity()) {
      edited.addAll(zs);
      return x;
    }
    float[] out = new float[x.length];
    for (int c = 0; c < crops; c++) {
      FloatMatrix z2 = sae.intervene(zs.get(c), cropIndex.applyAsInt(c), plan);
      InvalidInputException.check(z2.rows() == tokens && z2.cols() == d,
          "the SAE returned a [%s x %s] stream for a [%s x %s] crop", z2.rows(), z2.cols(), tokens, d);
      edited.add(z2);
      z2.copyInto(out, c * size);
    }
    return out;
  }
}
