package org.visualscratchpad.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.RepetitionInfo;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

class SparseActivationsTest {

  @RepeatedTest(5)
  void dense_round_trip_keeps_every_nonzero_entry(RepetitionInfo rep) {
    long seed = 1000 + rep.getCurrentRepetition();
    SplittableRandom rnd = new SplittableRandom(seed);
    int rows = 1 + rnd.nextInt(20);
    int dSae = 1 + rnd.nextInt(300);
    float[] d = new float[rows * dSae];
    for (int i = 0; i < d.length; i++) {
      d[i] = rnd.nextDouble() < 0.05 ? (float) rnd.nextDouble(0.01, 5) : 0f;
    }
    FloatMatrix dense = FloatMatrix.of(rows, dSae, d);
    SparseActivations s = SparseActivations.fromDense(dense);
    assertEquals(dense, s.toDense(), "seed " + seed);
    int nnz = 0;
    for (float v : d) {
      nnz += v != 0f ? 1 : 0;
    }
    assertEquals(nnz, s.nnz(), "seed " + seed);
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < dSae; j++) {
        assertEquals(d[r * dSae + j], s.get(r, j), "seed " + seed);
      }
    }
    SparseActivations tail = s.rowRange(rows / 2, rows);
    assertEquals(dense.rowRange(rows / 2, rows), tail.toDense(), "seed " + seed);
  }

  @Test
  void rejects_unsorted_out_of_range_and_non_finite_entries() {
    assertThrows(InvalidInputException.class,
        () -> SparseActivations.of(10, new int[] {0, 2}, new int[] {5, 3}, new float[] {1, 1}));
    assertThrows(InvalidInputException.class,
        () -> SparseActivations.of(10, new int[] {0, 1}, new int[] {10}, new float[] {1}));
    InvalidInputException nan = assertThrows(InvalidInputException.class,
        () -> SparseActivations.of(10, new int[] {0, 1}, new int[] {4}, new float[] {Float.NaN}));
    assertTrue(nan.getMessage().contains("latent 4"), nan.getMessage());
  }

  @Test
  void to_string_shows_shape_and_strongest_latents_not_everything() {
    SparseActivations s = SparseActivations.builder(8)
        .addRow(new int[] {1, 5}, new float[] {0.5f, 2f}, 2).build();
    assertEquals("SparseActivations[1 x 8, nnz 2, mean L0 2.00] row 0: {5=2.0, 1=0.5}", s.toString());
  }
}
