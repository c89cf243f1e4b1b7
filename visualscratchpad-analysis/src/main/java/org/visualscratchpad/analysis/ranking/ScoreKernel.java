package org.visualscratchpad.analysis.ranking;

/**
 * The inner loop of attention-weighted scoring over one block of {@link #width()} tokens: for one
 * latent's entries {@code (imageToken, value)}, {@code out[w] = sum_e value_e * attnBlock[imageToken_e * width + w]}.
 * Two implementations: the Vector API one (used when {@code jdk.incubator.vector} is present) and
 * the scalar reference it is tested against.
 */
abstract class ScoreKernel {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScoreKernel.class);
  private static final ScoreKernel BEST = choose();

  private static ScoreKernel choose() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      try {
        return new NarrowVectorScoreKernel();
      } catch (LinkageError e) {
        LOG.info("Vector API kernel unavailable ({}); using the scalar score kernel", e.toString());
      }
    } else {
      LOG.info("jdk.incubator.vector is not enabled; heatmap scoring uses the scalar kernel. "
          + "Run the JVM with --add-modules jdk.incubator.vector for the fast path.");
    }
    return new ScalarScoreKernel(16);
  }

  /** The fastest kernel available in this JVM. */
  static ScoreKernel best() {
    return BEST;
  }

  /** Tokens per block (a multiple of the vector length). */
  abstract int width();

  /**
   * Computes the block's scores of one latent into {@code out[0, width)} and returns whether any
   * lane exceeds {@code thresholds[t0 + w]}.
   */
  abstract boolean latent(int start, int end, int[] colToken, float[] colValue, float[] attnBlock, float[] out,
      float[] thresholds, int t0);

  /** Scalar reference. */
  static final class ScalarScoreKernel extends ScoreKernel {
    private final int width;

    ScalarScoreKernel(int width) {
      this.width = width;
    }

    @Override
    int width() {
      return width;
    }

    @Override
    boolean latent(int start, int end, int[] colToken, float[] colValue, float[] attnBlock, float[] out,
        float[] thresholds, int t0) {
      java.util.Arrays.fill(out, 0, width, 0f);
      for (int e = start; e < end; e++) {
        float v = colValue[e];
        int base = colToken[e] * width;
        for (int w = 0; w < width; w++) {
          out[w] += v * attnBlock[base + w];
        }
      }
      boolean any = false;
      for (int w = 0; w < width; w++) {
        any |= out[w] > thresholds[t0 + w];
      }
      return any;
    }
  }
}
