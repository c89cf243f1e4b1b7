package org.visualscratchpad.torch.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.safetensors.DType;
import org.visualscratchpad.safetensors.Half;

/**
 * {@link CpuOps} (the Vector API kernels when the module is loaded, else the scalar reference) against
 * double-precision naive references, on odd shapes, all three weight storages, with and without bias.
 */
class CpuOpsTest {
  private static final PackedWeight.Storage[] STORAGES = PackedWeight.Storage.values();

  static float[] gaussian(Random r, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextGaussian() * scale);
    }
    return a;
  }

  static PackedWeight weight(Random r, int out, int in, PackedWeight.Storage storage) {
    ByteBuffer b = ByteBuffer.allocate(out * in * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < out * in; i++) {
      b.putFloat(i * 4, (float) (r.nextGaussian() * 0.1));
    }
    return PackedWeight.pack(b, DType.F32, out, in, storage);
  }

  /** Asserts |y - ref| <= tol * scale element-wise. */
  static void assertClose(double[] ref, double[] scale, float[] y, double tol, String what) {
    for (int i = 0; i < ref.length; i++) {
      double err = Math.abs(y[i] - ref[i]);
      if (!(err <= tol * scale[i])) {
        throw new AssertionError(what + ": element " + i + " is " + y[i] + ", expected " + ref[i] + " (error " + err
            + ", allowed " + tol * scale[i] + ")");
      }
    }
  }

  // ------------------------------------------------------------------ linear

  @Test
  void linear_matches_a_double_reference_on_odd_shapes_for_every_storage() {
    Random r = new Random(1);
    int[][] shapes = {{37, 45}, {16, 32}, {100, 70}, {1030, 33}, {0, 5}}; // {in, out}; 1030 > one K slice
    int[] rows = {1, 2, 3, 4, 5, 7, 8, 9, 13, 100};
    for (PackedWeight.Storage storage : STORAGES) {
      for (int[] shape : shapes) {
        int in = shape[0];
        int out = shape[1];
        PackedWeight w = weight(r, out, in, storage);
        for (int m : rows) {
          for (boolean withBias : new boolean[] {false, true}) {
            float[] x = gaussian(r, m * in, 1);
            float[] bias = withBias ? gaussian(r, out, 1) : null;
            float[] y = new float[m * out];
            CpuOps.linear(x, m, w, bias, y);
            double[] ref = new double[m * out];
            double[] mag = new double[m * out];
            for (int row = 0; row < m; row++) {
              for (int o = 0; o < out; o++) {
                double s = bias == null ? 0 : bias[o];
                double a = bias == null ? 0 : Math.abs(bias[o]);
                for (int i = 0; i < in; i++) {
                  double p = (double) x[row * in + i] * w.get(o, i);
                  s += p;
                  a += Math.abs(p);
                }
                ref[row * out + o] = s;
                mag[row * out + o] = a + 1e-30;
              }
            }
            assertClose(ref, mag, y, 1e-5, storage + " [" + out + " x " + in + "] m=" + m + " bias=" + withBias);
          }
        }
      }
    }
  }

  @Test
  void linear_gives_the_same_bits_twice_and_on_one_or_all_threads() {
    assumeTrue(CpuOps.VECTOR, "Vector API kernels not in use");
    Random r = new Random(2);
    for (PackedWeight.Storage storage : STORAGES) {
      PackedWeight w = weight(r, 300, 1100, storage);
      float[] bias = gaussian(r, 300, 1);
      for (int m : new int[] {1, 3, 150}) {
        float[] x = gaussian(r, m * 1100, 1);
        float[] a = new float[m * 300];
        float[] b = new float[m * 300];
        float[] c = new float[m * 300];
        CpuOps.linear(x, m, w, bias, a);
        CpuOps.linear(x, m, w, bias, b);
        VectorCpuOps.linear(x, m, w, bias, c, false);
        assertArrayEquals(a, b, storage + " m=" + m + " twice");
        assertArrayEquals(a, c, storage + " m=" + m + " one thread vs all");
      }
    }
  }

  @Test
  void f16_and_bf16_widening_is_exact_for_every_finite_bit_pattern() {
    assumeTrue(CpuOps.VECTOR, "Vector API kernels not in use");
    short[] all = new short[65536];
    for (int i = 0; i < all.length; i++) {
      all[i] = (short) i;
    }
    float[] f16 = new float[65536];
    float[] bf16 = new float[65536];
    VectorCpuOps.widen(PackedWeight.Storage.F16, all, 0, all.length, f16);
    VectorCpuOps.widen(PackedWeight.Storage.BF16, all, 0, all.length, bf16);
    for (int i = 0; i < all.length; i++) {
      if ((i & 0x7c00) != 0x7c00) { // F16 inf/NaN become finite (documented)
        assertEquals(Float.floatToRawIntBits(Half.f16ToFloat(all[i])), Float.floatToRawIntBits(f16[i]),
            "F16 0x" + Integer.toHexString(i));
      }
      if ((i & 0x7f80) != 0x7f80) {
        assertEquals(Float.floatToRawIntBits(Half.bf16ToFloat(all[i])), Float.floatToRawIntBits(bf16[i]),
            "BF16 0x" + Integer.toHexString(i));
      }
    }
  }

  // ------------------------------------------------------------------ attention GEMMs

  @Test
  void attention_gemms_match_a_double_reference_with_strides_and_offsets() {
    Random r = new Random(3);
    int[][] cases = {{1, 1, 1}, {7, 33, 64}, {13, 70, 80}, {100, 37, 128}, {6, 32, 17}, {61, 95, 3}};
    for (int[] cs : cases) {
      int m = cs[0];
      int n = cs[1];
      int k = cs[2];
      int lda = k + 5;
      int ldb = k + 3;
      int ldc = n + 7;
      float[] a = gaussian(r, 2 + m * lda, 1);
      float[] b = gaussian(r, 1 + n * ldb, 1);
      float[] c = gaussian(r, 3 + m * ldc, 1);
      CpuOps.gemmABt(m, n, k, 0.125f, a, 2, lda, b, 1, ldb, c, 3, ldc);
      double[] ref = new double[m * n];
      double[] mag = new double[m * n];
      float[] got = new float[m * n];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          double abs = 0;
          for (int t = 0; t < k; t++) {
            double p = (double) a[2 + i * lda + t] * b[1 + j * ldb + t];
            s += p;
            abs += Math.abs(p);
          }
          ref[i * n + j] = 0.125 * s;
          mag[i * n + j] = 0.125 * abs + 1e-30;
          got[i * n + j] = c[3 + i * ldc + j];
        }
      }
      assertClose(ref, mag, got, 1e-5, "ABt m=" + m + " n=" + n + " k=" + k);
      // AB: a [m, k], b [k, n]
      int ldb2 = n + 9;
      float[] b2 = gaussian(r, 4 + k * ldb2, 1);
      float[] c2 = gaussian(r, m * ldc, 1);
      float[] before = c2.clone();
      CpuOps.gemmAB(m, n, k, a, 2, lda, b2, 4, ldb2, c2, 0, ldc);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          double abs = 0;
          for (int t = 0; t < k; t++) {
            double p = (double) a[2 + i * lda + t] * b2[4 + t * ldb2 + j];
            s += p;
            abs += Math.abs(p);
          }
          ref[i * n + j] = s;
          mag[i * n + j] = abs + 1e-30;
          got[i * n + j] = c2[i * ldc + j];
        }
        for (int j = n; j < ldc && i < m - 1; j++) {
          assertEquals(before[i * ldc + j], c2[i * ldc + j], "AB wrote outside its columns");
        }
      }
      assertClose(ref, mag, got, 1e-5, "AB m=" + m + " n=" + n + " k=" + k);
    }
  }

  // ------------------------------------------------------------------ element-wise

  @Test
  void softmax_matches_a_double_reference_and_a_fully_masked_row_is_uniform() {
    Random r = new Random(4);
    for (int len : new int[] {1, 2, 15, 16, 17, 100, 587}) {
      for (int masked : new int[] {0, 1, len / 3, len}) {
        float[] x = new float[len + 3];
        for (int i = 0; i < len + 3; i++) {
          x[i] = (float) (r.nextGaussian() * 8);
        }
        for (int i = 0; i < masked; i++) {
          x[2 + r.nextInt(len)] = -Float.MAX_VALUE;
        }
        if (masked == len) {
          java.util.Arrays.fill(x, 2, 2 + len, -Float.MAX_VALUE);
        }
        float[] orig = x.clone();
        CpuOps.softmax(x, 2, len);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
          max = Math.max(max, orig[2 + i]);
        }
        double[] e = new double[len];
        double sum = 0;
        for (int i = 0; i < len; i++) {
          e[i] = Math.exp((float) (orig[2 + i] - max)); // the float difference, as the kernels take it
          sum += e[i];
        }
        double[] ref = new double[len];
        double[] scale = new double[len];
        float[] got = new float[len];
        for (int i = 0; i < len; i++) {
          ref[i] = e[i] / sum;
          scale[i] = Math.max(ref[i], 1e-30);
          got[i] = x[2 + i];
        }
        assertClose(ref, scale, got, 2e-6, "softmax len=" + len + " masked=" + masked);
        assertEquals(orig[0], x[0]);
        assertEquals(orig[len + 2], x[len + 2]);
        if (masked == len) {
          for (int i = 0; i < len; i++) {
            assertEquals(1f / len, x[2 + i], "a fully masked row is uniform");
          }
        }
      }
    }
  }

  @Test
  void vector_exp_is_within_3e_7_relative_and_handles_the_range_ends() {
    assumeTrue(CpuOps.VECTOR, "Vector API kernels not in use");
    float[] y = new float[16];
    double worst = 0;
    for (float v = -87.3f; v < 88.3f; v += 0.0137f) {
      java.util.Arrays.fill(y, v);
      VectorCpuOps.expAt(y, 0);
      double ref = Math.exp(v);
      worst = Math.max(worst, Math.abs(y[0] - ref) / ref);
    }
    assertTrue(worst <= 3e-7, "worst relative error " + worst);
    float[] ends = {-Float.MAX_VALUE, Float.NEGATIVE_INFINITY, -1000f, 0f, 89f, Float.POSITIVE_INFINITY, -0f, 1f,
        -88f, 88.5f, 2f, 3f, 4f, 5f, 6f, 7f};
    y = ends.clone();
    VectorCpuOps.expAt(y, 0);
    assertEquals(0f, y[0]);
    assertEquals(0f, y[1]);
    assertEquals(0f, y[2]);
    assertEquals(1f, y[3]);
    assertEquals(Float.POSITIVE_INFINITY, y[4]);
    assertEquals(Float.POSITIVE_INFINITY, y[5]);
    assertEquals(1f, y[6]);
  }

  @Test
  void activations_match_double_references() {
    Random r = new Random(5);
    for (int n : new int[] {1, 15, 16, 33, 1000}) {
      float[] x = gaussian(r, n, 3);
      x[0] = n > 1 ? -30f : x[0];
      float[] up = gaussian(r, n, 1);
      float[] g = x.clone();
      float[] q = x.clone();
      float[] s = x.clone();
      float[] gt = x.clone();
      CpuOps.geluErf(g, n);
      CpuOps.geluTanh(gt, n);
      CpuOps.quickGelu(q, n);
      CpuOps.siluMul(s, up, n);
      double[] rg = new double[n];
      double[] rq = new double[n];
      double[] rs = new double[n];
      double[] rt = new double[n];
      double[] scale = new double[n];
      double[] scaleS = new double[n];
      for (int i = 0; i < n; i++) {
        double v = x[i];
        rg[i] = 0.5 * v * (1 + erfDouble(v / Math.sqrt(2)));
        rq[i] = v / (1 + Math.exp(-1.702 * v));
        rs[i] = v / (1 + Math.exp(-v)) * up[i];
        rt[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
        scale[i] = Math.max(Math.abs(v), 1e-3);
        scaleS[i] = Math.max(Math.abs(v * up[i]), 1e-3);
      }
      assertClose(rg, scale, g, 4e-7, "geluErf n=" + n);
      assertClose(rq, scale, q, 4e-7, "quickGelu n=" + n);
      assertClose(rs, scaleS, s, 4e-7, "siluMul n=" + n);
      assertClose(rt, scale, gt, 4e-7, "geluTanh n=" + n);
    }
  }

  @Test
  void erf_is_within_4e_7_absolute() {
    int n = 20001;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = -6f + 12f * i / (n - 1);
    }
    double worst = 0;
    for (int i = 0; i < n; i++) {
      worst = Math.max(worst, Math.abs(CpuOps.erf(x[i]) - erfDouble(x[i])));
    }
    assertTrue(worst <= 2e-7, "scalar erf worst " + worst);
    // the vector erf, through geluErf: gelu(v) / (0.5 v) - 1 = erf(v / sqrt 2)
    float[] g = x.clone();
    CpuOps.geluErf(g, n);
    for (int i = 0; i < n; i++) {
      double v = x[i];
      double ref = 0.5 * v * (1 + erfDouble(v / Math.sqrt(2)));
      assertTrue(Math.abs(g[i] - ref) <= 4e-7 * Math.max(1, Math.abs(v)), "gelu(" + v + ") = " + g[i] + " vs " + ref);
    }
  }

  @Test
  void norms_and_add_match_double_references() {
    Random r = new Random(6);
    for (int d : new int[] {1, 17, 64, 1000}) {
      int rows = 3;
      float[] x = gaussian(r, rows * d, 2);
      for (int i = 0; i < x.length; i++) {
        x[i] += 5f;
      }
      float[] w = gaussian(r, d, 1);
      float[] b = gaussian(r, d, 1);
      float[] ln = new float[rows * d];
      float[] rms = new float[rows * d];
      CpuOps.layerNorm(x, rows, d, w, b, 1e-5f, ln);
      CpuOps.rmsNorm(x, rows, d, w, 1e-6f, rms);
      double[] rl = new double[rows * d];
      double[] rr = new double[rows * d];
      double[] scale = new double[rows * d];
      for (int row = 0; row < rows; row++) {
        double mean = 0;
        double ms = 0;
        for (int i = 0; i < d; i++) {
          mean += x[row * d + i];
          ms += (double) x[row * d + i] * x[row * d + i];
        }
        mean /= d;
        ms /= d;
        double var = 0;
        for (int i = 0; i < d; i++) {
          var += (x[row * d + i] - mean) * (x[row * d + i] - mean);
        }
        var /= d;
        for (int i = 0; i < d; i++) {
          int at = row * d + i;
          rl[at] = (x[at] - mean) / Math.sqrt(var + 1e-5) * w[i] + b[i];
          rr[at] = w[i] * x[at] / Math.sqrt(ms + 1e-6);
          scale[at] = Math.abs(w[i]) * (1 + Math.abs(x[at])) + Math.abs(b[i]);
        }
      }
      assertClose(rl, scale, ln, 2e-5, "layerNorm d=" + d);
      assertClose(rr, scale, rms, 2e-6, "rmsNorm d=" + d);
      float[] y = gaussian(r, d, 1);
      float[] sum = x.clone();
      CpuOps.addInPlace(sum, y, d);
      for (int i = 0; i < rows * d; i++) {
        assertEquals(i < d ? x[i] + y[i] : x[i], sum[i]);
      }
    }
  }

  @Test
  void vector_ops_agree_with_the_scalar_reference() {
    assumeTrue(CpuOps.VECTOR, "Vector API kernels not in use");
    Random r = new Random(7);
    float[] x = gaussian(r, 999, 4);
    float[] a = x.clone();
    float[] b = x.clone();
    CpuOps.softmax(a, 0, 999);
    ScalarCpuOps.softmax(b, 0, 999);
    for (int i = 0; i < 999; i++) {
      assertEquals(b[i], a[i], 3e-6 * b[i]);
    }
    a = x.clone();
    b = x.clone();
    CpuOps.quickGelu(a, 999);
    ScalarCpuOps.quickGelu(b, 999);
    for (int i = 0; i < 999; i++) {
      assertEquals(b[i], a[i], 5e-7 * Math.max(1, Math.abs(x[i])));
    }
    a = x.clone();
    b = x.clone();
    CpuOps.geluTanh(a, 999);
    ScalarCpuOps.geluTanh(b, 999);
    for (int i = 0; i < 999; i++) {
      assertEquals(b[i], a[i], 5e-7 * Math.max(1, Math.abs(x[i])));
    }
  }

  /** erf in double (Abramowitz and Stegun 7.1.28 is too coarse; this is the series / continued fraction). */
  static double erfDouble(double x) {
    double z = Math.abs(x);
    double r;
    if (z < 2.5) {
      double term = z;
      double sum = z;
      for (int n = 1; n < 200; n++) {
        term *= -z * z / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-18) {
          break;
        }
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      // erfc by Lentz's continued fraction
      double f = z;
      double c = z;
      double d = 0;
      for (int n = 1; n < 300; n++) {
        double an = n / 2.0;
        d = z + an * d;
        d = 1 / d;
        c = z + an / c;
        double delta = c * d;
        f *= delta;
        if (Math.abs(delta - 1) < 1e-16) {
          break;
        }
      }
      r = 1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
    }
    return x < 0 ? -r : r;
  }
}
