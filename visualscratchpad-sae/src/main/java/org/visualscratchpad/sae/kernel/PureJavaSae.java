package org.visualscratchpad.sae.kernel;

import java.util.Arrays;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * A {@link SparseAutoencoder} computed in pure Java by a {@link SaeKernel} (the Vector API kernel
 * when available, else the scalar reference). It checks every input (shape, finiteness, latent ids)
 * before computing, so that a bad call throws {@link InvalidInputException} and leaves it usable.
 *
 * <p>Shapes: {@code encode}: {@code [tokens x d_in] -> [tokens x d_sae]} sparse; {@code
 * preActivations}: {@code [tokens x d_sae]} dense; {@code decode}: {@code [tokens x d_sae] ->
 * [tokens x d_in]}; {@code intervene}: {@code [tokens x d_in] -> [tokens x d_in]}.
 *
 * <p>Interventions: the edits of the plan are applied in order to the rows their scope includes
 * ({@code h -> h'}). With {@link ErrorTerm#KEEP}, {@code z' = z + (h' - h) W_dec}, computed only over
 * the entries that changed: a row with no changed entry is {@code z}'s row, bit for bit. With
 * {@link ErrorTerm#DROP}, {@code z' = decode(h') = h' W_dec + b_dec} on every row.
 *
 * <pre>{@code
 * jshell> var sae = SaeLoader.load(Path.of("sae"))
 * sae ==> PureJavaSae[standard, d_in 32, d_sae 256, vision.blocks.1.hook_resid_post, vector[256-bit, 6x16 tiles, 96-row blocks, 2 threads]]
 * jshell> var h = sae.encode(z)
 * jshell> var zPrime = sae.intervene(z, h, 0, InterventionPlan.of(LatentIntervention.ablate(List.of(196, 96, 173))))
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class PureJavaSae implements SparseAutoencoder {
  private final SaeKernel kernel;
  private final SaeConfig config;

  private PureJavaSae(SaeKernel kernel) {
    this.kernel = kernel;
    this.config = kernel.weights().config();
  }

  /** An SAE over {@code weights} computed by the kernel that {@code choice} picks. */
  public static PureJavaSae create(SaeWeights weights, KernelChoice choice) {
    return new PureJavaSae((choice == null ? KernelChoice.AUTO : choice).create(weights));
  }

  /** An SAE computed by the given kernel. */
  public static PureJavaSae of(SaeKernel kernel) {
    InvalidInputException.check(kernel != null, "kernel must not be null");
    return new PureJavaSae(kernel);
  }

  /** The kernel that computes this SAE. */
  public SaeKernel kernel() {
    return kernel;
  }

  @Override
  public SaeConfig config() {
    return config;
  }

  private float[] checkedInput(FloatMatrix input, String what) {
    InvalidInputException.check(input != null, "%s must not be null", what);
    InvalidInputException.check(input.cols() == config.dIn(),
        "%s width (%s) must equal the SAE's d_in (%s) at %s; shape given [%s x %s]. "
            + "Pass the activations of the SAE's hook point.",
        what, input.cols(), config.dIn(), config.hookPoint(), input.rows(), input.cols());
    float[] z = input.toArray();
    int dIn = config.dIn();
    for (int i = 0; i < z.length; i++) {
      if (!Float.isFinite(z[i])) {
        throw new InvalidInputException(String.format(
            "%s row %d, column %d (%s) must be finite. The activations at %s hold NaN or infinity; "
                + "check the model's inputs and dtype (fp16 overflow?).",
            what, i / dIn, i % dIn, z[i], config.hookPoint()));
      }
    }
    return z;
  }

  @Override
  public SparseActivations encode(FloatMatrix input) {
    float[] z = checkedInput(input, "SAE input");
    return kernel.encode(z, input.rows());
  }

  @Override
  public FloatMatrix preActivations(FloatMatrix input) {
    float[] z = checkedInput(input, "SAE input");
    return FloatMatrix.adopt(input.rows(), config.dSae(), kernel.preActivations(z, input.rows()));
  }

  @Override
  public FloatMatrix decode(SparseActivations codes) {
    checkCodes(codes, -1);
    return FloatMatrix.adopt(codes.rows(), config.dIn(), kernel.decode(codes));
  }

  private void checkCodes(SparseActivations codes, int rows) {
    InvalidInputException.check(codes != null, "SAE codes must not be null");
    InvalidInputException.check(codes.dSae() == config.dSae(),
        "SAE codes d_sae (%s) must equal this SAE's d_sae (%s). Were they encoded by another SAE?",
        codes.dSae(), config.dSae());
    InvalidInputException.check(rows < 0 || codes.rows() == rows,
        "SAE codes rows (%s) must equal the input's rows (%s). Pass encode(input) for the same input.",
        codes.rows(), rows);
  }

  private void checkPlan(InterventionPlan plan, int crop) {
    InvalidInputException.check(plan != null, "intervention plan must not be null");
    InvalidInputException.check(crop >= 0, "crop index (%s) must be >= 0", crop);
    for (LatentIntervention edit : plan.edits()) {
      for (int latentId : edit.latentIds()) {
        InvalidInputException.check(latentId < config.dSae(),
            "latent id (%s) in '%s' must be less than d_sae (%s); this SAE's latents are 0..%s. "
                + "Was the id taken from another SAE?",
            latentId, edit, config.dSae(), config.dSae() - 1);
      }
    }
  }

  @Override
  public FloatMatrix intervene(FloatMatrix input, SparseActivations codes, int crop, InterventionPlan plan) {
    checkPlan(plan, crop);
    float[] z = checkedInput(input, "SAE input");
    int rows = input.rows();
    checkCodes(codes, rows);
    return plan.errorTerm() == ErrorTerm.KEEP
        ? FloatMatrix.adopt(rows, config.dIn(), keepErrorTerm(z, rows, codes, crop, plan))
        : decode(editCodes(codes, crop, plan));
  }

  /** z' = z + (h' - h) W_dec over the changed entries; untouched rows stay bit-identical. */
  private float[] keepErrorTerm(float[] z, int rows, SparseActivations codes, int crop, InterventionPlan plan) {
    if (plan.edits().isEmpty()) {
      return z;
    }
    RowEdit edit = new RowEdit(config.dSae(), plan);
    int[] ids = new int[edit.capacity()];
    float[] deltas = new float[edit.capacity()];
    for (int row = 0; row < rows; row++) {
      int touched = edit.apply(codes, crop, row);
      int n = 0;
      for (int t = 0; t < touched; t++) {
        float delta = edit.current[t] - edit.original[t];
        if (delta != 0f) {
          ids[n] = edit.ids[t];
          deltas[n++] = delta;
        }
      }
      if (n > 0) {
        kernel.addDecoderRows(z, row * config.dIn(), ids, deltas, n);
      }
    }
    return z;
  }

  /** h' as sparse rows: the codes with the plan's edits applied (one merge per row). */
  @Override
  public SparseActivations editCodes(SparseActivations codes, int crop, InterventionPlan plan) {
    checkPlan(plan, crop);
    checkCodes(codes, -1);
    if (plan.edits().isEmpty()) {
      return codes;
    }
    RowEdit edit = new RowEdit(config.dSae(), plan);
    SparseActivations.Builder out = SparseActivations.builder(config.dSae());
    int[] ids = new int[64];
    float[] vals = new float[64];
    for (int row = 0; row < codes.rows(); row++) {
      int touched = edit.apply(codes, crop, row);
      int need = codes.rowNnz(row) + touched;
      if (need > ids.length) {
        ids = new int[need];
        vals = new float[need];
      }
      // merge the row's entries (ascending) with the edited latents (sorted here), edits winning
      int[] order = edit.sortedSlots(touched);
      int n = 0;
      int i = codes.rowStart(row);
      int end = codes.rowEnd(row);
      int t = 0;
      while (i < end || t < touched) {
        int idRow = i < end ? codes.latentAt(i) : Integer.MAX_VALUE;
        int idEdit = t < touched ? edit.ids[order[t]] : Integer.MAX_VALUE;
        float v;
        int id;
        if (idEdit <= idRow) {
          id = idEdit;
          v = edit.current[order[t++]];
          if (idEdit == idRow) {
            i++;
          }
        } else {
          id = idRow;
          v = codes.valueAt(i++);
        }
        if (v != 0f) {
          ids[n] = id;
          vals[n++] = v;
        }
      }
      out.addRow(ids, vals, n);
    }
    return out.build();
  }

  @Override
  public float[] decoderDirection(int latentId) {
    checkLatent(latentId);
    return kernel.weights().decoderRow(latentId);
  }

  @Override
  public String toString() {
    return "PureJavaSae[" + config.architecture().cfgName() + ", d_in " + config.dIn() + ", d_sae " + config.dSae()
        + ", " + config.hookPoint() + ", " + kernel.name() + "]";
  }

  /** Applies a plan's edits to one row at a time, tracking the touched latents (not thread-safe). */
  private static final class RowEdit {
    private final InterventionPlan plan;
    private final int[] slotOf; // (d_sae): slot + 1 of a latent touched in the current row, 0 if none
    final int[] ids;
    final float[] original;
    final float[] current;

    RowEdit(int dSae, InterventionPlan plan) {
      this.plan = plan;
      this.slotOf = new int[dSae];
      int cap = 0;
      for (LatentIntervention e : plan.edits()) {
        cap += e.latentIds().size();
      }
      ids = new int[cap];
      original = new float[cap];
      current = new float[cap];
    }

    int capacity() {
      return ids.length;
    }

    /** Applies the edits in order to row {@code row}; returns the number of touched latents. */
    int apply(SparseActivations codes, int crop, int row) {
      int touched = 0;
      for (LatentIntervention e : plan.edits()) {
        if (!e.scope().includes(crop, row)) {
          continue;
        }
        for (int latentId : e.latentIds()) {
          int slot = slotOf[latentId] - 1;
          if (slot < 0) {
            slot = touched++;
            slotOf[latentId] = slot + 1;
            ids[slot] = latentId;
            original[slot] = codes.get(row, latentId);
            current[slot] = original[slot];
          }
          current[slot] = e.edit(current[slot]);
        }
      }
      for (int t = 0; t < touched; t++) {
        slotOf[ids[t]] = 0;
      }
      return touched;
    }

    /** The slots 0..touched-1 ordered by latent id. */
    int[] sortedSlots(int touched) {
      Integer[] boxed = new Integer[touched];
      for (int t = 0; t < touched; t++) {
        boxed[t] = t;
      }
      Arrays.sort(boxed, (x, y) -> Integer.compare(ids[x], ids[y]));
      int[] out = new int[touched];
      for (int t = 0; t < touched; t++) {
        out[t] = boxed[t];
      }
      return out;
    }
  }
}
