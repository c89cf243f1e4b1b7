package org.visualscratchpad.sae.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API form of {@link DotKernel}: a 4 rows x 4 latents register tile, {@code fma} over
 * {@code d}, one lane sum per output, scalar tail. Loaded only when {@code jdk.incubator.vector} is
 * present.
 *
 * <p>Lanes are summed in a fixed order ({@link #sum}), not by {@code reduceLanes(ADD)}: the JDK
 * leaves the order of that float reduction open, and on JDK 25 (measured) the JIT-compiled form sums in
 * another order than the interpreted one. A training step then gave other bits once warm, and a
 * resumed run drifted from an uninterrupted one. The price, measured on 64 x 256 x 1024 products:
 * none on JDK 17, 1.4x on JDK 25 (whose unordered reduction is faster); a fixed tree of
 * lane shuffles was 2-3x slower than this on both.
 */
final class VectorDotKernel extends DotKernel {
  static final VectorDotKernel INSTANCE = new VectorDotKernel();
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  /** The sum of the lanes, first to last, as scalars: the same bits interpreted or compiled. */
  static float sum(FloatVector v, float[] lanes) {
    v.intoArray(lanes, 0);
    float s = 0f;
    for (int l = 0; l < lanes.length; l++) {
      s += lanes[l];
    }
    return s;
  }

  @Override
  public String name() {
    return "vector-" + S.vectorBitSize();
  }

  @Override
  public void dots(float[] x, int rowFrom, int rowTo, float[] w, int latentFrom, int latentTo, int d,
      float[] out, int outStride) {
    int bound = S.loopBound(d);
    float[] lanes = new float[S.length()];
    int j = latentFrom;
    for (; j + 4 <= latentTo; j += 4) {
      int w0 = j * d;
      int w1 = w0 + d;
      int w2 = w1 + d;
      int w3 = w2 + d;
      int r = rowFrom;
      for (; r + 4 <= rowTo; r += 4) {
        int x0 = r * d;
        int x1 = x0 + d;
        int x2 = x1 + d;
        int x3 = x2 + d;
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int i = 0;
        for (; i < bound; i += S.length()) {
          FloatVector v0 = FloatVector.fromArray(S, w, w0 + i);
          FloatVector v1 = FloatVector.fromArray(S, w, w1 + i);
          FloatVector v2 = FloatVector.fromArray(S, w, w2 + i);
          FloatVector v3 = FloatVector.fromArray(S, w, w3 + i);
          FloatVector u = FloatVector.fromArray(S, x, x0 + i);
          a00 = u.fma(v0, a00); a01 = u.fma(v1, a01); a02 = u.fma(v2, a02); a03 = u.fma(v3, a03);
          u = FloatVector.fromArray(S, x, x1 + i);
          a10 = u.fma(v0, a10); a11 = u.fma(v1, a11); a12 = u.fma(v2, a12); a13 = u.fma(v3, a13);
          u = FloatVector.fromArray(S, x, x2 + i);
          a20 = u.fma(v0, a20); a21 = u.fma(v1, a21); a22 = u.fma(v2, a22); a23 = u.fma(v3, a23);
          u = FloatVector.fromArray(S, x, x3 + i);
          a30 = u.fma(v0, a30); a31 = u.fma(v1, a31); a32 = u.fma(v2, a32); a33 = u.fma(v3, a33);
        }
        int o0 = (r - rowFrom) * outStride + j - latentFrom;
        int o1 = o0 + outStride;
        int o2 = o1 + outStride;
        int o3 = o2 + outStride;
        out[o0] = sum(a00, lanes) + tail(x, x0, w, w0, i, d);
        out[o0 + 1] = sum(a01, lanes) + tail(x, x0, w, w1, i, d);
        out[o0 + 2] = sum(a02, lanes) + tail(x, x0, w, w2, i, d);
        out[o0 + 3] = sum(a03, lanes) + tail(x, x0, w, w3, i, d);
        out[o1] = sum(a10, lanes) + tail(x, x1, w, w0, i, d);
        out[o1 + 1] = sum(a11, lanes) + tail(x, x1, w, w1, i, d);
        out[o1 + 2] = sum(a12, lanes) + tail(x, x1, w, w2, i, d);
        out[o1 + 3] = sum(a13, lanes) + tail(x, x1, w, w3, i, d);
        out[o2] = sum(a20, lanes) + tail(x, x2, w, w0, i, d);
        out[o2 + 1] = sum(a21, lanes) + tail(x, x2, w, w1, i, d);
        out[o2 + 2] = sum(a22, lanes) + tail(x, x2, w, w2, i, d);
        out[o2 + 3] = sum(a23, lanes) + tail(x, x2, w, w3, i, d);
        out[o3] = sum(a30, lanes) + tail(x, x3, w, w0, i, d);
        out[o3 + 1] = sum(a31, lanes) + tail(x, x3, w, w1, i, d);
        out[o3 + 2] = sum(a32, lanes) + tail(x, x3, w, w2, i, d);
        out[o3 + 3] = sum(a33, lanes) + tail(x, x3, w, w3, i, d);
      }
      for (; r < rowTo; r++) {
        int o = (r - rowFrom) * outStride + j - latentFrom;
        for (int q = 0; q < 4; q++) {
          out[o + q] = dot(x, r * d, w, (j + q) * d, d);
        }
      }
    }
    for (; j < latentTo; j++) {
      for (int r = rowFrom; r < rowTo; r++) {
        out[(r - rowFrom) * outStride + j - latentFrom] = dot(x, r * d, w, j * d, d);
      }
    }
  }

  private static float tail(float[] x, int xOff, float[] w, int wOff, int from, int d) {
    float s = 0f;
    for (int i = from; i < d; i++) {
      s += x[xOff + i] * w[wOff + i];
    }
    return s;
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int d) {
    int bound = S.loopBound(d);
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i < bound; i += S.length()) {
      acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
    }
    return sum(acc, new float[S.length()]) + tail(a, aOff, b, bOff, i, d);
  }

  @Override
  public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int d) {
    int bound = S.loopBound(d);
    FloatVector a = FloatVector.broadcast(S, alpha);
    int i = 0;
    for (; i < bound; i += S.length()) {
      FloatVector.fromArray(S, x, xOff + i).fma(a, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
    }
    for (; i < d; i++) {
      y[yOff + i] += alpha * x[xOff + i];
    }
  }
}
