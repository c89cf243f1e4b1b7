package org.visualscratchpad.sae.train;

/**
 * The one dense product training needs: {@code out[r][j] = dot(x[r], w[j])} for a block of rows and
 * all latents, with both operands row-major ({@code x [rows x d]}, {@code w [latents x d]}).
 * Two implementations: {@link #scalar()} (the reference) and a Vector API one, picked by {@link
 * #best()} when {@code jdk.incubator.vector} is present.
 */
abstract class DotKernel {

  private static volatile DotKernel best;

  /** The scalar reference kernel. */
  static DotKernel scalar() {
    return ScalarDotKernel.INSTANCE;
  }

  /** The Vector API kernel if the incubator module is present, else the scalar one. */
  static DotKernel best() {
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
      return (DotKernel) Class.forName("org.visualscratchpad.sae.train.VectorDotKernel")
          .getDeclaredField("INSTANCE").get(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      return scalar();
    }
  }

  /** A short name for logs and benchmarks. */
  abstract String name();

  /**
   * Writes {@code out[(r - rowFrom) * outStride + j] = dot(x[r], w[j])} for {@code r in [rowFrom,
   * rowTo)} and {@code j in [latentFrom, latentTo)}.
   */
  abstract void dots(float[] x, int rowFrom, int rowTo, float[] w, int latentFrom, int latentTo, int d,
      float[] out, int outStride);

  /** {@code dot(a[aOff .. aOff+d), b[bOff .. bOff+d))}. */
  abstract float dot(float[] a, int aOff, float[] b, int bOff, int d);

  /** {@code y[yOff + i] += alpha * x[xOff + i]} for {@code i in [0, d)}. */
  abstract void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int d);

  static final class ScalarDotKernel extends DotKernel {
    static final ScalarDotKernel INSTANCE = new ScalarDotKernel();

    @Override
    String name() {
      return "scalar";
    }

    @Override
    void dots(float[] x, int rowFrom, int rowTo, float[] w, int latentFrom, int latentTo, int d,
        float[] out, int outStride) {
      for (int r = rowFrom; r < rowTo; r++) {
        int o = (r - rowFrom) * outStride;
        for (int j = latentFrom; j < latentTo; j++) {
          out[o + j] = dot(x, r * d, w, j * d, d);
        }
      }
    }

    @Override
    float dot(float[] a, int aOff, float[] b, int bOff, int d) {
      float s = 0f;
      for (int i = 0; i < d; i++) {
        s += a[aOff + i] * b[bOff + i];
      }
      return s;
    }

    @Override
    void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int d) {
      for (int i = 0; i < d; i++) {
        y[yOff + i] += alpha * x[xOff + i];
      }
    }
  }
}
