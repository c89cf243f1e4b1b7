package org.visualscratchpad.torch.cpu;

/**
 * The scalar reference implementation of {@link CpuOps}: plain loops, the control every fast kernel is
 * tested against, and the path taken when the module {@code jdk.incubator.vector} is absent.
 */
final class ScalarCpuOps {
  private ScalarCpuOps() {}

  /**
   * {@code y[m, out] = x[m, in] W^T + bias}: an {@code nn.Linear} over {@code m} rows.
   *
   * @param x {@code m} rows of {@code w.in()} values from index 0
   * @param bias {@code [out]} or null
   * @param y receives {@code m} rows of {@code w.out()} values from index 0
   */
  static void linear(float[] x, int m, PackedWeight w, float[] bias, float[] y) {
    int in = w.in();
    int out = w.out();
    CpuThreads.parallelFor(w.panels, p -> {
      int o0 = p * PackedWeight.NR;
      int o1 = Math.min(out, o0 + PackedWeight.NR);
      float[] wcol = new float[in];
      for (int o = o0; o < o1; o++) {
        for (int i = 0; i < in; i++) {
          wcol[i] = w.get(o, i);
        }
        float b = bias == null ? 0f : bias[o];
        for (int r = 0; r < m; r++) {
          float acc = 0f;
          int xr = r * in;
          for (int i = 0; i < in; i++) {
            acc += x[xr + i] * wcol[i];
          }
          y[r * out + o] = acc + b;
        }
      }
    });
  }

  /** {@code c[m, n] = alpha * a[m, k] b[n, k]^T} (overwrites {@code c}), rows at strides {@code lda, ldb, ldc}. */
  static void gemmABt(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float acc = 0f;
        for (int t = 0; t < k; t++) {
          acc += a[aOff + i * lda + t] * b[bOff + j * ldb + t];
        }
        c[cOff + i * ldc + j] = alpha * acc;
      }
    }
  }

  /** {@code c[m, n] = a[m, k] b[k, n]} (overwrites {@code c}), rows at strides {@code lda, ldb, ldc}. */
  static void gemmAB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * ldc;
      for (int j = 0; j < n; j++) {
        c[ci + j] = 0f;
      }
      for (int t = 0; t < k; t++) {
        float av = a[aOff + i * lda + t];
        int bt = bOff + t * ldb;
        for (int j = 0; j < n; j++) {
          c[ci + j] += av * b[bt + j];
        }
      }
    }
  }

  /**
   * In-place softmax of {@code x[off, off + len)}. Entries equal to {@code -Float.MAX_VALUE} are masked
   * positions as in Hugging Face's eager attention (a row masked everywhere becomes uniform).
   */
  static void softmax(float[] x, int off, int len) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < len; i++) {
      max = Math.max(max, x[off + i]);
    }
    float sum = 0f;
    for (int i = 0; i < len; i++) {
      float e = (float) Math.exp(x[off + i] - max);
      x[off + i] = e;
      sum += e;
    }
    float inv = 1f / sum;
    for (int i = 0; i < len; i++) {
      x[off + i] *= inv;
    }
  }

  /** LayerNorm (biased variance) of {@code rows} rows of width {@code d} from {@code x} into {@code y}. */
  static void layerNorm(float[] x, int rows, int d, float[] weight, float[] bias, float eps, float[] y) {
    for (int r = 0; r < rows; r++) {
      int o = r * d;
      float mean = 0f;
      for (int i = 0; i < d; i++) {
        mean += x[o + i];
      }
      mean /= d;
      float var = 0f;
      for (int i = 0; i < d; i++) {
        float c = x[o + i] - mean;
        var += c * c;
      }
      var /= d;
      float inv = (float) (1.0 / Math.sqrt(var + eps));
      for (int i = 0; i < d; i++) {
        y[o + i] = (x[o + i] - mean) * inv * weight[i] + bias[i];
      }
    }
  }

  /** RMSNorm {@code w * x / sqrt(mean(x^2) + eps)} of {@code rows} rows of width {@code d} into {@code y}. */
  static void rmsNorm(float[] x, int rows, int d, float[] weight, float eps, float[] y) {
    for (int r = 0; r < rows; r++) {
      int o = r * d;
      float ms = 0f;
      for (int i = 0; i < d; i++) {
        ms += x[o + i] * x[o + i];
      }
      ms /= d;
      float inv = (float) (1.0 / Math.sqrt(ms + eps));
      for (int i = 0; i < d; i++) {
        y[o + i] = weight[i] * (x[o + i] * inv);
      }
    }
  }

  /** Exact GELU {@code 0.5 x (1 + erf(x / sqrt 2))} in place on {@code x[0, n)}. */
  static void geluErf(float[] x, int n) {
    for (int i = 0; i < n; i++) {
      float v = x[i];
      x[i] = 0.5f * v * (1f + erf(v * 0.70710678118654752f));
    }
  }

  /** GELU with the tanh approximation ({@code gelu_pytorch_tanh}) in place on {@code x[0, n)}, computed in double. */
  static void geluTanh(float[] x, int n) {
    for (int i = 0; i < n; i++) {
      double v = x[i];
      double u = 0.7978845608028654 * (v + 0.044715 * v * v * v);
      x[i] = (float) (0.5 * v * (1.0 + Math.tanh(u)));
    }
  }

  /** CLIP's {@code x * sigmoid(1.702 x)} in place on {@code x[0, n)}. */
  static void quickGelu(float[] x, int n) {
    for (int i = 0; i < n; i++) {
      float v = x[i];
      x[i] = v / (1f + (float) Math.exp(-1.702f * v));
    }
  }

  /** {@code gate[i] = silu(gate[i]) * up[i]} for {@code i < n} (Llama's MLP). */
  static void siluMul(float[] gate, float[] up, int n) {
    for (int i = 0; i < n; i++) {
      float g = gate[i];
      gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
    }
  }

  /** {@code x[i] += y[i]} for {@code i < n}. */
  static void addInPlace(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      x[i] += y[i];
    }
  }

  /** The error function in float32 (absolute error below 1.2e-7; computed in double). */
  static float erf(float x) {
    double z = Math.abs(x);
    // W. J. Cody's rational approximations via erfc for |x| >= 0.5, series below
    double r;
    if (z < 0.5) {
      double z2 = z * z;
      r = z * (1.1283791670955126 + z2 * (-0.37612638903183754 + z2 * (0.11283791670955126
          + z2 * (-0.026866170645131252 + z2 * (0.005223977625442188 + z2 * (-8.548327023450852e-4
          + z2 * (1.2055332981789664e-4 + z2 * (-1.4925650358406251e-5)))))))); 
    } else {
      // erfc(z) = exp(-z^2) * t * poly(t), t = 1 / (1 + 0.5 z) (Numerical Recipes erfcc, rel. error < 1.2e-7)
      double t = 1.0 / (1.0 + 0.5 * z);
      double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
          + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
          + t * (-0.82215223 + t * 0.17087277)))))))));
      r = 1.0 - erfc;
    }
    return (float) (x < 0 ? -r : r);
  }
}
