package org.visualscratchpad.torch.cpu;

/**
 * The operations the CPU engine's models are written against, on plain float32 arrays (row-major,
 * rows of a given stride). Each is deterministic: the same inputs give the same bits on every run and
 * thread count.
 *
 * <p>With the module {@code jdk.incubator.vector} loaded (the JVM started with {@code --add-modules
 * jdk.incubator.vector}) on a machine with 256- or 512-bit vectors, the operations run Vector API kernels
 * ({@code VectorCpuOps}); otherwise, or with {@code -Dvsp.cpu.scalar=true}, the scalar reference
 * ({@code ScalarCpuOps}). {@link #linear} runs on all of {@link CpuThreads}, the others on the calling
 * thread. All methods are thread-safe (per-call scratch is per thread).
 *
 * <pre>{@code
 * jshell> var w = PackedWeight.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
 * jshell> float[] y = new float[2];
 * jshell> CpuOps.linear(new float[] {1, 1, 1}, 1, w, null, y);
 * jshell> y
 * y ==> float[2] { 6.0, 15.0 }
 * }</pre>
 */
public final class CpuOps {
  private CpuOps() {}

  /** Whether the Vector API kernels are in use. */
  static final boolean VECTOR = !Boolean.getBoolean("vsp.cpu.scalar")
      && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && VectorCpuOps.supported();

  /** Which implementation runs: {@code "vector[512-bit]"}, {@code "vector[256-bit]"} or {@code "scalar"}. */
  public static String implementation() {
    return VECTOR ? "vector[" + VectorCpuOps.bits() + "-bit]" : "scalar";
  }

  /**
   * {@code y[m, out] = x[m, in] W^T + bias}: an {@code nn.Linear} over {@code m} rows.
   *
   * @param x {@code m} rows of {@code w.in()} values from index 0
   * @param bias {@code [out]} or null
   * @param y receives {@code m} rows of {@code w.out()} values from index 0
   */
  public static void linear(float[] x, int m, PackedWeight w, float[] bias, float[] y) {
    if (VECTOR) {
      VectorCpuOps.linear(x, m, w, bias, y, true);
    } else {
      ScalarCpuOps.linear(x, m, w, bias, y);
    }
  }

  /** {@code c[m, n] = alpha * a[m, k] b[n, k]^T} (overwrites {@code c}), rows at strides {@code lda, ldb, ldc}. */
  public static void gemmABt(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc) {
    if (VECTOR) {
      VectorCpuOps.gemmABt(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    } else {
      ScalarCpuOps.gemmABt(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }
  }

  /** {@code c[m, n] = a[m, k] b[k, n]} (overwrites {@code c}), rows at strides {@code lda, ldb, ldc}. */
  public static void gemmAB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc) {
    if (VECTOR) {
      VectorCpuOps.gemmAB(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    } else {
      ScalarCpuOps.gemmAB(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }
  }

  /**
   * In-place softmax of {@code x[off, off + len)}. Entries equal to {@code -Float.MAX_VALUE} are masked
   * positions as in Hugging Face's eager attention (a row masked everywhere becomes uniform).
   */
  public static void softmax(float[] x, int off, int len) {
    if (VECTOR) {
      VectorCpuOps.softmax(x, off, len);
    } else {
      ScalarCpuOps.softmax(x, off, len);
    }
  }

  /** LayerNorm (biased variance) of {@code rows} rows of width {@code d} from {@code x} into {@code y}. */
  public static void layerNorm(float[] x, int rows, int d, float[] weight, float[] bias, float eps, float[] y) {
    if (VECTOR) {
      VectorCpuOps.layerNorm(x, rows, d, weight, bias, eps, y);
    } else {
      ScalarCpuOps.layerNorm(x, rows, d, weight, bias, eps, y);
    }
  }

  /** RMSNorm {@code w * x / sqrt(mean(x^2) + eps)} of {@code rows} rows of width {@code d} into {@code y}. */
  public static void rmsNorm(float[] x, int rows, int d, float[] weight, float eps, float[] y) {
    if (VECTOR) {
      VectorCpuOps.rmsNorm(x, rows, d, weight, eps, y);
    } else {
      ScalarCpuOps.rmsNorm(x, rows, d, weight, eps, y);
    }
  }

  /** Exact GELU {@code 0.5 x (1 + erf(x / sqrt 2))} in place on {@code x[0, n)}. */
  public static void geluErf(float[] x, int n) {
    if (VECTOR) {
      VectorCpuOps.geluErf(x, n);
    } else {
      ScalarCpuOps.geluErf(x, n);
    }
  }

  /**
   * GELU with the tanh approximation, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} (PyTorch's {@code
   * gelu(approximate="tanh")}, Hugging Face's {@code gelu_pytorch_tanh}: SigLIP's activation), in place on {@code
   * x[0, n)}.
   */
  public static void geluTanh(float[] x, int n) {
    if (VECTOR) {
      VectorCpuOps.geluTanh(x, n);
    } else {
      ScalarCpuOps.geluTanh(x, n);
    }
  }

  /** CLIP's {@code x * sigmoid(1.702 x)} in place on {@code x[0, n)}. */
  public static void quickGelu(float[] x, int n) {
    if (VECTOR) {
      VectorCpuOps.quickGelu(x, n);
    } else {
      ScalarCpuOps.quickGelu(x, n);
    }
  }

  /** {@code gate[i] = silu(gate[i]) * up[i]} for {@code i < n} (Llama's MLP). */
  public static void siluMul(float[] gate, float[] up, int n) {
    if (VECTOR) {
      VectorCpuOps.siluMul(gate, up, n);
    } else {
      ScalarCpuOps.siluMul(gate, up, n);
    }
  }

  /** {@code x[i] += y[i]} for {@code i < n}. */
  public static void addInPlace(float[] x, float[] y, int n) {
    if (VECTOR) {
      VectorCpuOps.addInPlace(x, y, n);
    } else {
      ScalarCpuOps.addInPlace(x, y, n);
    }
  }

  /** The error function in float32 (absolute error below 1.2e-7; computed in double). */
  public static float erf(float x) {
    return ScalarCpuOps.erf(x);
  }
}
