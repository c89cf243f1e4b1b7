package org.visualscratchpad.server;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.analysis.heatmap.FilteredLatents;
import org.visualscratchpad.analysis.ranking.PatchActivations;
import org.visualscratchpad.analysis.scratchpad.ScratchpadAnalysis;
import org.visualscratchpad.sae.NoisyLatents;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.stats.ImageActivations;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.sae.stats.StatisticsOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * {@code vsp stats}, the heatmap's noisy-latent filter and the web page's statistics scatter flag the
 * same latents at the paper's width (d_sae 32,768, 2 %): the one rule of {@link NoisyLatents}. The
 * statistics come from the SAE module's streaming aggregate over 30 seeded random images, so the
 * frequencies (counts of 30) tie often and some latents never fire.
 */
class NoisyLatentsAgreementTest {
  static final int D_SAE = 32_768;
  static LatentStatistics stats;
  static BitSet expected;

  @BeforeAll
  static void statistics() {
    SplittableRandom rnd = new SplittableRandom(11);
    stats = new LatentStatistics(D_SAE, StatisticsOptions.defaults());
    int[] ids = new int[D_SAE];
    float[] values = new float[D_SAE];
    for (int image = 0; image < 30; image++) {
      SparseActivations.Builder b = SparseActivations.builder(D_SAE);
      for (int row = 0; row < 5; row++) { // CLS and 4 patches
        int n = 0;
        for (int j = 0; j < D_SAE; j++) {
          // latents below 20,000 fire now and then, the rest never: a zero statistic is never noisy
          if (j < 20_000 && rnd.nextDouble() < 0.03 + 0.2 * (j % 97 == 0 ? 1 : 0)) {
            ids[n] = j;
            values[n++] = (float) (0.05 + rnd.nextDouble() * (j % 89 == 0 ? 20 : 2));
          }
        }
        b.addRow(ids, values, n);
      }
      stats.add(new ImageActivations("img" + image, "", List.of(b.build())));
    }
    expected = stats.noisyLatents(2.0).union(); // what vsp stats prints
  }

  @Test
  void vsp_stats_flags_655_per_axis_and_ties_do_not_add_more() {
    NoisyLatents noisy = stats.noisyLatents(2.0);
    assertEquals(655, noisy.byMeanActivation().cardinality());
    assertEquals(655, noisy.byFrequency().cardinality());
    // the frequency axis ties at its cut (counts of 30 images): the rule still flags exactly 655
    float cut = (float) noisy.frequencyThreshold().getAsDouble();
    int atOrAboveCut = 0;
    for (int j = 0; j < D_SAE; j++) {
      atOrAboveCut += stats.frequency(j) >= cut ? 1 : 0;
    }
    assertTrue(atOrAboveCut > 655, "the test needs a tie at the frequency cut; " + atOrAboveCut + " latents reach it");
  }

  @Test
  void the_heatmap_filter_excludes_exactly_what_vsp_stats_flags() {
    FilteredLatents filtered = FilteredLatents.of(stats, HeatmapOptions.NoisyFilter.BOTH, 2.0);
    assertArrayEquals(expected.stream().toArray(), filtered.excludedIds());
    // and a heatmap whose image fires the noisiest latents leaves out those, and reports them
    int[] noisyIds = expected.stream().toArray();
    int[] firing = Arrays.copyOf(noisyIds, 40);
    float[] dense = new float[3 * D_SAE];
    for (int patch = 1; patch < 3; patch++) {
      for (int i = 0; i < firing.length; i++) {
        dense[patch * D_SAE + firing[i]] = 1f + i;
        dense[patch * D_SAE + 25_000 + i] = 0.5f + i; // never-firing in the statistics: never noisy
      }
    }
    PatchActivations patches = PatchActivations.llava15(SparseActivations.fromDense(FloatMatrix.of(3, D_SAE, dense)));
    List<String> tokens = new ArrayList<>(List.of("a", "b"));
    TokenLatentHeatmap h = ScratchpadAnalysis.heatmap(patches, FloatMatrix.of(2, 2, new float[] {0.3f, 0.2f, 0.1f, 0.4f}),
        tokens, stats, HeatmapOptions.defaults().withTopK(100));
    assertTrue(h.latentIds().stream().noneMatch(expected::get), h.toString());
    assertEquals(40, h.filteredOut().size());
    assertTrue(h.filteredOut().stream().allMatch(expected::get));
    assertEquals(40, h.latentIds().size());
  }

  @Test
  void the_web_scatter_marks_exactly_what_vsp_stats_flags() {
    Map<String, Object> view = AnswerViews.statistics(stats, 2.0);
    assertArrayEquals(expected.stream().toArray(), (int[]) view.get("noisy"));
    NoisyLatents noisy = stats.noisyLatents(2.0);
    assertEquals((float) noisy.meanActivationThreshold().getAsDouble(), (float) view.get("meanThreshold"));
    assertEquals((float) noisy.frequencyThreshold().getAsDouble(), (float) view.get("frequencyThreshold"));
    assertEquals(D_SAE, ((float[]) view.get("frequency")).length);
  }
}
