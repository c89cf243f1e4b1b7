package org.visualscratchpad.sae;

import static org.junit.jupiter.api.Assertions.*;

import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;

class NoisyLatentsTest {

  /** Statistics from two arrays. */
  record Stats(float[] mean, float[] freq) implements DatasetStatistics {
    @Override
    public int dSae() {
      return mean.length;
    }

    @Override
    public float meanActivation(int latentId) {
      return mean[latentId];
    }

    @Override
    public float frequency(int latentId) {
      return freq[latentId];
    }
  }

  @Test
  void each_axis_flags_floor_of_percent_of_d_sae_at_the_papers_width() {
    // 32,768 latents, all firing, distinct values: 2 % is 655.36, so 655 per axis (never more than 2 %)
    int d = 32_768;
    SplittableRandom rnd = new SplittableRandom(3);
    float[] mean = new float[d];
    float[] freq = new float[d];
    for (int j = 0; j < d; j++) {
      mean[j] = (float) (0.001 + rnd.nextDouble());
      freq[j] = (float) (0.001 + 0.5 * rnd.nextDouble());
    }
    NoisyLatents noisy = new Stats(mean, freq).noisyLatents(2.0);
    assertEquals(655, NoisyLatents.perAxis(d, 2.0));
    assertEquals(655, noisy.byMeanActivation().cardinality());
    assertEquals(655, noisy.byFrequency().cardinality());
    // the flagged ones are the largest: every flagged value >= every kept value, and the threshold is the smallest flagged
    float smallestFlagged = Float.MAX_VALUE;
    float largestKept = 0;
    for (int j = 0; j < d; j++) {
      if (noisy.byMeanActivation().get(j)) {
        smallestFlagged = Math.min(smallestFlagged, mean[j]);
      } else {
        largestKept = Math.max(largestKept, mean[j]);
      }
    }
    assertTrue(smallestFlagged >= largestKept);
    assertEquals(smallestFlagged, noisy.meanActivationThreshold().getAsDouble(), 0);
    assertEquals(noisy.union(), noisy.flagged(true, true));
    assertTrue(noisy.toString().contains("655 by mean activation, 655 by frequency"), noisy.toString());
  }

  @Test
  void ties_go_to_the_lower_latent_id_and_latents_that_never_fire_are_never_flagged() {
    // 100 latents, 2 % = 2 per axis; mean: 7, 3, 9 tie at the top; frequency: only latent 4 fires
    float[] mean = new float[100];
    float[] freq = new float[100];
    mean[9] = 1f;
    mean[3] = 1f;
    mean[7] = 1f;
    freq[4] = 0.5f;
    NoisyLatents noisy = NoisyLatents.of(new Stats(mean, freq), 2.0);
    assertEquals(List.of(3, 7), noisy.byMeanActivation().stream().boxed().toList());
    assertEquals(List.of(4), noisy.byFrequency().stream().boxed().toList());
    assertEquals(0.5, noisy.frequencyThreshold().getAsDouble(), 0);
    assertTrue(noisy.isNoisy(4) && noisy.isNoisy(7) && !noisy.isNoisy(9) && !noisy.isNoisy(0));
    assertEquals(List.of(4), noisy.flagged(false, true).stream().boxed().toList());
    assertEquals(new BitSet(), noisy.flagged(false, false));
    // nothing fires: nothing is noisy, and there is no threshold to draw
    NoisyLatents silent = NoisyLatents.of(new Stats(new float[100], new float[100]), 50);
    assertTrue(silent.union().isEmpty() && silent.meanActivationThreshold().isEmpty());
  }

  @Test
  void small_percentages_and_widths_round_down_and_the_result_is_not_shared() {
    assertEquals(1, NoisyLatents.perAxis(50, 2.0)); // 0.02 * 50 is 0.99999... in binary
    assertEquals(0, NoisyLatents.perAxis(49, 2.0));
    assertEquals(10, NoisyLatents.perAxis(512, 2.0));
    assertEquals(512, NoisyLatents.perAxis(512, 100));
    float[] mean = {3, 2, 1};
    NoisyLatents all = NoisyLatents.of(new Stats(mean, mean), 100);
    assertEquals(3, all.union().cardinality());
    all.byMeanActivation().clear();
    assertEquals(3, all.byMeanActivation().cardinality(), "the sets are copies");
  }

  @Test
  void bad_percentages_and_statistics_are_refused_with_the_value() {
    Stats ok = new Stats(new float[4], new float[4]);
    var high = assertThrows(InvalidInputException.class, () -> ok.noisyLatents(101));
    assertTrue(high.getMessage().contains("noisy percent (101.0) must lie in [0, 100]"), high.getMessage());
    float[] mean = new float[4];
    mean[2] = Float.NaN;
    var nan = assertThrows(InvalidInputException.class, () -> NoisyLatents.of(new Stats(mean, new float[4]), 2));
    assertTrue(nan.getMessage().contains("statistics of latent 2 (mean activation NaN"), nan.getMessage());
  }
}
