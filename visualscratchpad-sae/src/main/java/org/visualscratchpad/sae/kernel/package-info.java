/**
 * The SAE computed in pure Java.
 *
 * <table>
 *   <caption>Contents</caption>
 *   <tr><td>{@link org.visualscratchpad.sae.kernel.PureJavaSae}</td><td>the {@code SparseAutoencoder}: checks inputs, encodes, decodes, applies intervention plans</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.kernel.SaeWeights}</td><td>{@code W_enc, W_dec, b_dec} in SAELens' layout and the
 *       per-latent rest of the encoder, validated</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.kernel.LatentActivation}</td><td>that rest in one general form (scale, shift,
 *       cut-off, gate, row top-k), built by an architecture's type ({@code org.visualscratchpad.sae.architecture})</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.kernel.SaeKernel}</td><td>encode to sparse rows, sparse decode, decoder-row update</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.kernel.ScalarSaeKernel}</td><td>the plain-loop reference kernel</td></tr>
 *   <tr><td>{@code VectorSaeKernel}</td><td>the Vector API kernel (packed {@code W_enc} panels, register-blocked 6 x 2-vector micro-kernel, multi-threaded), loaded only with {@code --add-modules jdk.incubator.vector}</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.kernel.DotKernel}</td><td>dense dot products of row blocks (SAE training, the analysis module's k-NN graph); its Vector API form sums lanes in a fixed order</td></tr>
 *   <tr><td>{@link org.visualscratchpad.sae.kernel.KernelChoice}</td><td>picks the kernel at run time and says how to enable SIMD</td></tr>
 *   <tr><td>{@code TopK}, {@code KernelThreads}</td><td>a row's k largest entries; the kernels' worker threads</td></tr>
 * </table>
 */
package org.visualscratchpad.sae.kernel;
