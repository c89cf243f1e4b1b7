package org.visualscratchpad.sae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/** TopK selection equals sorting: the k largest values, ties to the lower latent id, ids ascending. */
class KeepLargestTest {

  @RepeatedTest(30)
  void keeps_the_k_largest_with_ties_to_the_lower_id(RepetitionInfo info) {
    long seed = 500 + info.getCurrentRepetition();
    SplittableRandom rnd = new SplittableRandom(seed);
    int n = 1 + rnd.nextInt(200);
    int k = 1 + rnd.nextInt(n);
    int[] ids = IntStream.range(0, n).map(i -> i * 3 + 1).toArray();
    float[] vals = new float[n];
    for (int i = 0; i < n; i++) {
      vals[i] = 0.5f * (1 + rnd.nextInt(rnd.nextBoolean() ? 5 : 1000)); // many ties in half the cases
    }
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.<Integer>comparingDouble(q -> -vals[q]).thenComparingInt(q -> ids[q]));
    int[] expected = Arrays.stream(order).limit(k).mapToInt(q -> ids[q]).sorted().toArray();
    int[] idsCopy = ids.clone();
    float[] valsCopy = vals.clone();
    assertEquals(k, SaeTrainer.keepLargest(idsCopy, valsCopy, n, k), "seed " + seed);
    assertArrayEquals(expected, Arrays.copyOf(idsCopy, k), "seed " + seed + " n " + n + " k " + k);
    for (int q = 0; q < k; q++) {
      assertEquals(vals[(idsCopy[q] - 1) / 3], valsCopy[q], "value follows its id, seed " + seed);
    }
  }
}
