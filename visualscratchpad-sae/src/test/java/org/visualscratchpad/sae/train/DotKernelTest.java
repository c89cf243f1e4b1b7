package org.visualscratchpad.sae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Vector API kernel equals the scalar reference kernel on seeded random inputs. */
class DotKernelTest {

  @ParameterizedTest(name = "rows {0} latents {1} d {2} seed {3}")
  @CsvSource({"7, 11, 37, 1", "8, 8, 64, 2", "1, 3, 5, 3", "13, 17, 1024, 4"})
  void vector_kernel_matches_the_scalar_kernel(int rows, int latents, int d, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x = random(rows * d, rnd);
    float[] w = random(latents * d, rnd);
    float[] expected = new float[rows * latents];
    float[] actual = new float[rows * latents];
    DotKernel.scalar().dots(x, 0, rows, w, 0, latents, d, expected, latents);
    DotKernel.best().dots(x, 0, rows, w, 0, latents, d, actual, latents);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-4f * (1 + Math.abs(expected[i])) * Math.sqrt(d),
          DotKernel.best().name() + " entry " + i + " (seed " + seed + ")");
    }
    float[] y1 = random(d, rnd);
    float[] y2 = y1.clone();
    DotKernel.scalar().axpy(0.7f, x, 0, y1, 0, d);
    DotKernel.best().axpy(0.7f, x, 0, y2, 0, d);
    for (int i = 0; i < d; i++) {
      assertEquals(y1[i], y2[i], 1e-5f, "axpy entry " + i + " (seed " + seed + ")");
    }
    assertEquals(DotKernel.scalar().dot(x, 0, w, 0, d), DotKernel.best().dot(x, 0, w, 0, d), 1e-4f * Math.sqrt(d),
        "dot (seed " + seed + ")");
  }

  private static float[] random(int n, SplittableRandom rnd) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return a;
  }
}
