package org.visualscratchpad.sae.kernel;

import org.visualscratchpad.sae.SparseActivations;

/**
 * The numeric core of an SAE: encode to sparse rows, sparse decode, and the decoder-row update that
 * edits use. Two implementations compute the same thing: {@link ScalarSaeKernel}, the plain-loop
 * reference, and a Vector API kernel ({@code VectorSaeKernel}, loaded only when the module {@code
 * jdk.incubator.vector} is present). {@link KernelChoice} picks one at run time.
 *
 * <p>Arrays are row-major; inputs are not validated here (the {@link PureJavaSae} facade checks
 * shapes and finiteness before calling). Implementations are immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var kernel = KernelChoice.AUTO.create(weights)
 * kernel ==> vector[256-bit, 6x16 tiles, 96-row blocks, 2 threads]
 * jshell> SparseActivations h = kernel.encode(z, rows)        // z: float[rows * d_in]
 * jshell> float[] recon = kernel.decode(h)                       // [rows * d_in]
 * }</pre>
 */
public interface SaeKernel {

  /** A short description, e.g. {@code scalar} or {@code vector[256-bit, 6x16 tiles, 96-row blocks, 2 threads]}. */
  String name();

  /** The weights this kernel computes with. */
  SaeWeights weights();

  /**
   * Encodes {@code rows} rows: {@code h = act((z - b_dec*apply) W_enc + b_enc)}, straight to sparse
   * rows (no dense {@code [rows x d_sae]} matrix is kept).
   *
   * @param z {@code [rows x d_in]}, finite
   * @return {@code [rows x d_sae]}, ascending latent ids per row
   */
  SparseActivations encode(float[] z, int rows);

  /**
   * The dense pre-activations {@code (z - b_dec*apply) W_enc + b_enc}.
   *
   * @param z {@code [rows x d_in]}
   * @return {@code [rows x d_sae]}
   */
  float[] preActivations(float[] z, int rows);

  /**
   * The reconstruction {@code h W_dec + b_dec}, gathering one decoder row per active entry.
   *
   * @return {@code [rows x d_in]}
   */
  float[] decode(SparseActivations codes);

  /**
   * {@code out[offset .. offset + d_in) += sum_i coefficients[i] * W_dec[latentIds[i]]} over the
   * first {@code count} entries, accumulated in the given order into a zeroed buffer first and then
   * added to {@code out} (so the update equals {@code out + (delta W_dec)} as a matmul computes it).
   */
  void addDecoderRows(float[] out, int offset, int[] latentIds, float[] coefficients, int count);
}
