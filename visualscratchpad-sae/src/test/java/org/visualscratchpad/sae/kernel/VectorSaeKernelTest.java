package org.visualscratchpad.sae.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.visualscratchpad.sae.architecture.SaeType;
import org.visualscratchpad.sae.architecture.SaeTypes;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.tensor.FloatMatrix;

/** The Vector API kernel equals the scalar reference within 1e-5 relative, on seeded random SAEs of many shapes. */
class VectorSaeKernelTest {
  private static final double RTOL = 1e-5;

  @BeforeAll
  static void vectorModuleIsLoaded() {
    assumeTrue(KernelChoice.vectorAvailable(), "run with --add-modules jdk.incubator.vector");
  }

  static Stream<Arguments> shapes() {
    List<Arguments> out = new ArrayList<>();
    int[][] shapes = {
      // rows, d_in, d_sae
      {1, 1, 1}, {1, 7, 5}, {2, 16, 16}, {5, 17, 33}, {6, 32, 256}, {7, 33, 257}, {13, 3, 100},
      {37, 32, 256}, {64, 100, 300}, {100, 48, 47}, {200, 65, 129}, {577, 40, 200}, {700, 24, 70},
      {311, 128, 512}, {9, 1024, 64}, {577, 64, 2000}
    };
    long seed = 1000;
    for (int[] s : shapes) {
      for (SaeType arch : SaeTypes.all()) {
        int k = Math.max(1, Math.min(s[2], 1 + s[2] / 8));
        out.add(Arguments.of(seed++, arch, s[0], s[1], s[2], k, seed % 3 != 0));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "seed {0}: {1} rows {2} d_in {3} d_sae {4} k {5} applyBDec {6}")
  @MethodSource("shapes")
  void vector_kernel_equals_the_scalar_reference(long seed, SaeType arch, int rows, int dIn, int dSae,
      int k, boolean applyBDec) {
    String ctx = "seed " + seed + " " + arch + " [" + rows + " x " + dIn + "] x [" + dIn + " x " + dSae + "]";
    SaeWeights w = RandomSae.weights(seed, arch, dIn, dSae, k, applyBDec);
    SaeKernel ref = new ScalarSaeKernel(w);
    SaeKernel fast = KernelChoice.VECTOR.create(w);
    FloatMatrix z = RandomSae.input(seed, rows, dIn);
    float[] zz = z.toArray();

    float[] preRef = ref.preActivations(zz, rows);
    float[] preFast = fast.preActivations(zz, rows);
    assertEquals(preRef.length, preFast.length, ctx);
    for (int i = 0; i < preRef.length; i++) {
      int at = i;
      assertClose(preRef[i], preFast[i], () -> ctx + " pre-activation row " + at / dSae + " latent " + at % dSae);
    }

    SparseActivations hRef = ref.encode(zz, rows);
    SparseActivations hFast = fast.encode(zz, rows);
    assertEquals(rows, hFast.rows(), ctx);
    float[] cut = w.activation.cutoff;
    float[] gate = w.activation.gate;
    // a gated latent's other edge lies on its product m = (z - b_dec) W_enc: the same kernel with a zero shift
    float[] product = gate == null ? null : new ScalarSaeKernel(SaeWeights.of(w.config(), w.wEnc, w.wDec, w.bDec,
        LatentActivation.relu(new float[dSae]))).preActivations(zz, rows);
    boolean topk = arch.architecture().usesK();
    for (int row = 0; row < rows; row++) {
      float boundary = topk ? kthLargest(preRef, row * dSae, dSae, k) : Float.NaN;
      for (int latentId = 0; latentId < dSae; latentId++) {
        float a = hRef.get(row, latentId);
        float b = hFast.get(row, latentId);
        float pre = preRef[row * dSae + latentId];
        boolean nearEdge = Math.abs(pre - cut[latentId]) <= tol(pre)
            || (topk && Math.abs(pre - boundary) <= tol(pre))
            || (gate != null && Math.abs(product[row * dSae + latentId] + gate[latentId]) <= tol(product[row * dSae + latentId]));
        if ((a == 0f) != (b == 0f) && !nearEdge) {
          throw new AssertionError(ctx + ": row " + row + " latent " + latentId + " active in only one kernel (ref "
              + a + ", fast " + b + ") though its pre-activation " + pre + " is not at the cut-off");
        } else if ((a == 0f) != (b == 0f)) {
          continue;
        } else {
          int r = row;
          int l = latentId;
          assertClose(a, b, () -> ctx + " activation row " + r + " latent " + l);
        }
      }
      if (topk) {
        assertTrue(hFast.rowNnz(row) <= k, ctx + ": topk row " + row + " has " + hFast.rowNnz(row) + " > k entries");
      }
    }

    float[] recRef = ref.decode(hRef);
    float[] recFast = fast.decode(hRef);
    for (int i = 0; i < recRef.length; i++) {
      int at = i;
      assertClose(recRef[i], recFast[i], () -> ctx + " decode row " + at / dIn + " column " + at % dIn);
    }

    int count = Math.min(dSae, 37);
    int[] ids = new int[count];
    float[] coef = new float[count];
    for (int i = 0; i < count; i++) {
      ids[i] = (int) ((i * 7919L + seed) % dSae);
      coef[i] = (i % 3 - 1) * 0.75f + 0.1f;
    }
    float[] outRef = z.row(0);
    float[] outFast = z.row(0);
    ref.addDecoderRows(outRef, 0, ids, coef, count);
    fast.addDecoderRows(outFast, 0, ids, coef, count);
    for (int c = 0; c < dIn; c++) {
      int col = c;
      assertClose(outRef[c], outFast[c], () -> ctx + " edit column " + col);
    }
  }

  private static float kthLargest(float[] pre, int off, int n, int k) {
    float[] row = java.util.Arrays.copyOfRange(pre, off, off + n);
    java.util.Arrays.sort(row);
    return row[n - k];
  }

  private static double tol(float ref) {
    return RTOL * Math.max(1.0, Math.abs(ref));
  }

  private static void assertClose(float ref, float fast, java.util.function.Supplier<String> what) {
    if (!(Math.abs(ref - fast) <= tol(ref))) {
      throw new AssertionError(what.get() + ": reference " + ref + " vs fast " + fast
          + " (|diff| " + Math.abs(ref - fast) + " > " + tol(ref) + ")");
    }
  }
}
