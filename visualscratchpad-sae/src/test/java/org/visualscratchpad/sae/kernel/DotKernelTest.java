package org.visualscratchpad.sae.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
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

  @Test
  void a_block_of_latents_is_written_from_column_zero_of_the_output() {
    SplittableRandom rnd = new SplittableRandom(9);
    int d = 40;
    float[] x = random(9 * d, rnd);
    float[] w = random(30 * d, rnd);
    for (DotKernel k : new DotKernel[] {DotKernel.scalar(), DotKernel.best()}) {
      float[] out = new float[3 * 13];
      k.dots(x, 5, 8, w, 17, 30, d, out, 13);
      for (int r = 5; r < 8; r++) {
        for (int j = 17; j < 30; j++) {
          assertEquals(DotKernel.scalar().dot(x, r * d, w, j * d, d), out[(r - 5) * 13 + (j - 17)], 1e-4f,
              k.name() + " row " + r + " latent " + j);
        }
      }
    }
  }

  /**
   * The first call runs interpreted, the last after the JIT compiled the kernel: both must give the
   * same bits, or a resumed training run (warm JIT) drifts from an uninterrupted one (cold JIT).
   */
  @Test
  void results_do_not_depend_on_whether_the_kernel_is_compiled() {
    SplittableRandom rnd = new SplittableRandom(11);
    int rows = 8;
    int latents = 8;
    int d = 200;
    float[] x = random(rows * d, rnd);
    float[] w = random(latents * d, rnd);
    float[] first = new float[rows * latents];
    DotKernel.best().dots(x, 0, rows, w, 0, latents, d, first, latents);
    float firstDot = DotKernel.best().dot(x, 0, w, 0, d);
    float[] later = new float[rows * latents];
    float laterDot = 0;
    for (int it = 0; it < 30_000; it++) {
      DotKernel.best().dots(x, 0, rows, w, 0, latents, d, later, latents);
      laterDot = DotKernel.best().dot(x, 0, w, 0, d);
    }
    assertArrayEquals(first, later, DotKernel.best().name() + " dots changed once compiled");
    assertEquals(Float.floatToIntBits(firstDot), Float.floatToIntBits(laterDot),
        DotKernel.best().name() + " dot changed once compiled: " + firstDot + " then " + laterDot);
  }

  private static float[] random(int n, SplittableRandom rnd) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return a;
  }
}
