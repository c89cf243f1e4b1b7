package org.visualscratchpad.sae.kernel;

import org.visualscratchpad.sae.SparseActivations;

/**
 * The reference kernel: plain Java loops over the original SAELens layout, one row at a time, in
 * the same order as the formulas. It is the control every fast kernel is tested against, and the
 * fallback when {@code jdk.incubator.vector} is not available. Slow on large SAEs (several seconds
 * for a 577-token crop against a 1024 x 32768 encoder).
 *
 * <pre>{@code
 * jshell> var kernel = new ScalarSaeKernel(weights)
 * kernel ==> scalar
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ScalarSaeKernel implements SaeKernel {
  private final SaeWeights w;
  private final LatentActivation act;

  public ScalarSaeKernel(SaeWeights weights) {
    org.visualscratchpad.InvalidInputException.check(weights.hasEncoderMatrix(),
        "these SAE weights no longer hold W_enc; build kernels from the weights as loaded");
    this.w = weights;
    this.act = weights.activation;
  }

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public SaeWeights weights() {
    return w;
  }

  @Override
  public SparseActivations encode(float[] z, int rows) {
    int dSae = w.dSae();
    SparseActivations.Builder out = SparseActivations.builder(dSae);
    float[] m = new float[dSae];
    int[] ids = new int[dSae];
    float[] vals = new float[dSae];
    for (int row = 0; row < rows; row++) {
      productRow(z, row, m);
      int n = 0;
      for (int latentId = 0; latentId < dSae; latentId++) {
        float pre = act.pre(latentId, m[latentId]);
        if (act.fires(latentId, m[latentId], pre)) {
          ids[n] = latentId;
          vals[n++] = pre;
        }
      }
      if (act.topK > 0) {
        n = TopK.keepLargest(ids, vals, n, act.topK);
      }
      out.addRow(ids, vals, n);
    }
    return out.build();
  }

  @Override
  public float[] preActivations(float[] z, int rows) {
    int dSae = w.dSae();
    float[] out = new float[Math.multiplyExact(rows, dSae)];
    float[] m = new float[dSae];
    for (int row = 0; row < rows; row++) {
      productRow(z, row, m);
      for (int latentId = 0; latentId < dSae; latentId++) {
        out[row * dSae + latentId] = act.pre(latentId, m[latentId]);
      }
    }
    return out;
  }

  /** m = (z[row] - b_dec*apply) W_enc, summed over d_in in ascending order (no bias yet). */
  private void productRow(float[] z, int row, float[] m) {
    int dIn = w.dIn();
    int dSae = w.dSae();
    boolean apply = w.config().applyBDecToInput();
    java.util.Arrays.fill(m, 0f);
    for (int k = 0; k < dIn; k++) {
      float a = apply ? z[row * dIn + k] - w.bDec[k] : z[row * dIn + k];
      int base = k * dSae;
      for (int latentId = 0; latentId < dSae; latentId++) {
        m[latentId] += a * w.wEnc[base + latentId];
      }
    }
  }

  @Override
  public float[] decode(SparseActivations codes) {
    int dIn = w.dIn();
    int rows = codes.rows();
    float[] out = new float[Math.multiplyExact(rows, dIn)];
    float[] acc = new float[dIn];
    for (int row = 0; row < rows; row++) {
      java.util.Arrays.fill(acc, 0f);
      for (int i = codes.rowStart(row); i < codes.rowEnd(row); i++) {
        float v = codes.valueAt(i);
        int base = codes.latentAt(i) * dIn;
        for (int c = 0; c < dIn; c++) {
          acc[c] += v * w.wDec[base + c];
        }
      }
      for (int c = 0; c < dIn; c++) {
        out[row * dIn + c] = acc[c] + w.bDec[c];
      }
    }
    return out;
  }

  @Override
  public void addDecoderRows(float[] out, int offset, int[] latentIds, float[] coefficients, int count) {
    int dIn = w.dIn();
    float[] acc = new float[dIn];
    for (int i = 0; i < count; i++) {
      float v = coefficients[i];
      int base = latentIds[i] * dIn;
      for (int c = 0; c < dIn; c++) {
        acc[c] += v * w.wDec[base + c];
      }
    }
    for (int c = 0; c < dIn; c++) {
      out[offset + c] += acc[c];
    }
  }

  @Override
  public String toString() {
    return name();
  }
}
