package org.visualscratchpad.sae.kernel;

/**
 * Dense dot products of row-major operands: {@code out[r][j] = dot(x[r], w[j])} for a block of
 * rows {@code x [rows x d]} and a block of rows {@code w [latents x d]}, plus {@code dot} and
 * {@code axpy}. SAE training uses it for its dense products, the analysis module for the exact
 * k-NN graph of decoder directions. Two implementations: {@link #scalar()} (the reference) and a
 * Vector API one (4 x 4 register tiles, lanes summed in a fixed order so results do not depend on
 * JIT compilation), picked by {@link #best()} when {@code jdk.incubator.vector} is present.
 * Stateless and thread-safe.
 *
 * <pre>{@code
 * jshell> float[] out = new float[2 * 3];
 * jshell> DotKernel.best().dots(x, 0, 2, w, 0, 3, d, out, 3)   // x [2 x d], w [3 x d]
 * }</pre>
 */
public abstract class DotKernel {

  private static volatile DotKernel best;

  DotKernel() {}

  /** The scalar reference kernel. */
  public static DotKernel scalar() {
    return ScalarDotKernel.INSTANCE;
  }

  /** The Vector API kernel if the incubator module is present, else the scalar one. */
  public static DotKernel best() {
    DotKernel k = best;
    if (k == null) {
      k = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? vectorOrScalar() : scalar();
      if (k == scalar()) {
        org.slf4j.LoggerFactory.getLogger(DotKernel.class).info(
            "jdk.incubator.vector is not available; SAE training uses the scalar kernel. "
                + "Start the JVM with --add-modules jdk.incubator.vector for the fast one.");
      }
      best = k;
    }
    return k;
  }

  private static DotKernel vectorOrScalar() {
    try {
      return (DotKernel) Class.forName("org.visualscratchpad.sae.kernel.VectorDotKernel")
          .getDeclaredField("INSTANCE").get(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      return scalar();
    }
  }

  /** A short name for logs and benchmarks. */
  public abstract String name();

  /**
   * Writes {@code out[(r - rowFrom) * outStride + (j - latentFrom)] = dot(x[r], w[j])} for {@code r
   * in [rowFrom, rowTo)} and {@code j in [latentFrom, latentTo)}; row {@code r} of {@code x} starts
   * at {@code r * d}, row {@code j} of {@code w} at {@code j * d}.
   */
  public abstract void dots(float[] x, int rowFrom, int rowTo, float[] w, int latentFrom, int latentTo, int d,
      float[] out, int outStride);

  /** {@code dot(a[aOff .. aOff+d), b[bOff .. bOff+d))}. */
  public abstract float dot(float[] a, int aOff, float[] b, int bOff, int d);

  /** {@code y[yOff + i] += alpha * x[xOff + i]} for {@code i in [0, d)}. */
  public abstract void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int d);

  static final class ScalarDotKernel extends DotKernel {
    static final ScalarDotKernel INSTANCE = new ScalarDotKernel();

    @Override
    public String name() {
      return "scalar";
    }

    @Override
    public void dots(float[] x, int rowFrom, int rowTo, float[] w, int latentFrom, int latentTo, int d,
        float[] out, int outStride) {
      for (int r = rowFrom; r < rowTo; r++) {
        int o = (r - rowFrom) * outStride;
        for (int j = latentFrom; j < latentTo; j++) {
          out[o + j - latentFrom] = dot(x, r * d, w, j * d, d);
        }
      }
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int d) {
      float s = 0f;
      for (int i = 0; i < d; i++) {
        s += a[aOff + i] * b[bOff + i];
      }
      return s;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int d) {
      for (int i = 0; i < d; i++) {
        y[yOff + i] += alpha * x[xOff + i];
      }
    }
  }
}
