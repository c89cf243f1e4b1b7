package org.visualscratchpad.analysis.heatmap;

import org.visualscratchpad.sae.DatasetStatistics;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.analysis.Fixtures;
import org.visualscratchpad.analysis.ranking.AttentionScorer;
import org.visualscratchpad.analysis.ranking.AttentionWeighting;
import org.visualscratchpad.analysis.ranking.PatchActivations;
import org.visualscratchpad.analysis.scratchpad.ScratchpadAnalysis;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.LatentCluster;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.tensor.FloatMatrix;

/** The token-latent heatmap as the API returns it, built from stored activations (no answer). */
class TokenLatentHeatmapTest {
  private static final HeatmapOptions NO_FILTER = HeatmapOptions.defaults().withFilter(HeatmapOptions.NoisyFilter.NONE, 0);


  /**
   * A synthetic image of 4 regions (9 patches each); region g fires latents [g*10, g*10+6) strongly.
   * Tokens 0..11 each look at one region (token t at region t % 4). Latents 40..59 fire weakly everywhere.
   */
  static final class Scene {
    final PatchActivations patches;
    final FloatMatrix attention;
    final List<String> tokens = new ArrayList<>();

    Scene(long seed) {
      Random rnd = new Random(seed);
      int d = 64;
      float[] dense = new float[37 * d];
      for (int p = 0; p < 36; p++) {
        int g = p / 9;
        for (int j = g * 10; j < g * 10 + 6; j++) {
          dense[(p + 1) * d + j] = 2f + rnd.nextFloat();
        }
        for (int j = 40; j < 60; j++) {
          if (rnd.nextFloat() < 0.3f) {
            dense[(p + 1) * d + j] = 0.05f * rnd.nextFloat() + 0.01f;
          }
        }
      }
      patches = PatchActivations.llava15(SparseActivations.fromDense(FloatMatrix.of(37, d, dense)));
      float[] a = new float[12 * 36];
      for (int t = 0; t < 12; t++) {
        int g = t % 4;
        for (int p = 0; p < 36; p++) {
          a[t * 36 + p] = (p / 9 == g ? 0.05f : 0.002f) * (0.8f + 0.4f * rnd.nextFloat());
        }
        tokens.add("tok" + t + "@r" + g);
      }
      attention = FloatMatrix.of(12, 36, a);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void clusters_are_the_planted_concept_groups(long seed) {
    Scene s = new Scene(seed);
    TokenLatentHeatmap h = ScratchpadAnalysis.heatmap(s.patches, s.attention, s.tokens, null,
        NO_FILTER.withTopK(6).withNormalization(HeatmapOptions.Normalization.COLUMN));
    assertEquals(24, h.latentIds().size(), "seed " + seed + ": union of top-6 over 4 regions");
    LatentClusters clusters = h.cluster(ClusterOptions.defaults().withClusters(4));
    assertEquals(4, clusters.clusters().size());
    for (LatentCluster c : clusters.clusters()) {
      int g = c.latentIds().get(0) / 10;
      Set<Integer> expected = new HashSet<>();
      for (int j = g * 10; j < g * 10 + 6; j++) {
        expected.add(j);
      }
      assertEquals(expected, new HashSet<>(c.latentIds()), "seed " + seed + " cluster " + c);
      assertEquals(3, c.strongestTokens().size());
      for (String token : c.strongestTokens()) {
        assertTrue(token.endsWith("@r" + g), "cluster of region " + g + " strongest on " + token);
      }
    }
    // column normalisation: every column peaks at 1
    for (int c = 0; c < h.values().cols(); c++) {
      float max = 0;
      for (int r = 0; r < h.values().rows(); r++) {
        max = Math.max(max, h.values().get(r, c));
      }
      assertEquals(1f, max, 1e-6f);
    }
    // same clusters with k-means
    LatentClusters k = h.cluster(ClusterOptions.defaults().withMethod(ClusterOptions.Method.KMEANS).withClusters(4)
        .withSeed(seed));
    Set<Set<Integer>> a = new HashSet<>();
    Set<Set<Integer>> b = new HashSet<>();
    clusters.clusters().forEach(c -> a.add(new HashSet<>(c.latentIds())));
    k.clusters().forEach(c -> b.add(new HashSet<>(c.latentIds())));
    assertEquals(a, b);
    assertTrue(h.toString().contains("12 tokens x 24 latents"), h.toString());
  }

  @Test
  void scores_in_the_heatmap_equal_the_reference_scores() {
    Scene s = new Scene(7);
    HeatmapMatrix m = HeatmapMatrix.compute(s.patches, s.attention, s.tokens, new TokenSpan(2, 9), FilteredLatents.none(64),
        3, AttentionWeighting.RAW);
    FloatMatrix ref = new AttentionScorer(s.patches, s.attention, AttentionWeighting.RAW).scores(s.tokens).scores();
    assertEquals(s.tokens.subList(2, 9), m.tokens());
    for (int r = 0; r < 7; r++) {
      for (int c = 0; c < m.latentIds().size(); c++) {
        assertEquals(ref.get(r + 2, m.latentIds().get(c)), m.scores().get(r, c), 1e-5f);
      }
    }
    // the API's heatmap without normalisation holds the matrix's scores, columns ascending by latent id
    TokenLatentHeatmap h = ScratchpadAnalysis.heatmap(s.patches, s.attention.rowRange(2, 9), s.tokens.subList(2, 9), null,
        NO_FILTER.withTopK(3));
    assertEquals(m.latentIds(), h.latentIds());
    assertEquals(m.scores(), h.values());
  }

  @Test
  void row_normalisation_scales_each_token_to_one() {
    FloatMatrix m = FloatMatrix.of(2, 3, new float[] {1, 2, 4, 0, 0, 0});
    assertArrayEquals(new float[] {0.25f, 0.5f, 1f, 0, 0, 0},
        HeatmapMatrix.normalise(m, HeatmapOptions.Normalization.ROW).toArray());
    assertArrayEquals(new float[] {1, 1, 1, 0, 0, 0}, HeatmapMatrix.normalise(m, HeatmapOptions.Normalization.COLUMN).toArray());
    assertEquals(m, HeatmapMatrix.normalise(m, HeatmapOptions.Normalization.NONE));
  }

  @Test
  void column_normalisation_takes_each_maximum_over_every_row_the_last_included() {
    // each column's largest magnitude sits in a different row, the last row included
    FloatMatrix m = FloatMatrix.of(3, 3, new float[] {8, 1, 2, 4, 5, 1, 2, 1, -10});
    assertArrayEquals(new float[] {1f, 0.2f, 0.2f, 0.5f, 1f, 0.1f, 0.25f, 0.2f, -1f},
        HeatmapMatrix.normalise(m, HeatmapOptions.Normalization.COLUMN).toArray());
    // and the row maximum over every column, the last included
    assertArrayEquals(new float[] {0.25f, 0.5f, 1f, 0.1f, 1f, 0.5f},
        HeatmapMatrix.normalise(FloatMatrix.of(2, 3, new float[] {1, 2, 4, 1, 10, 5}), HeatmapOptions.Normalization.ROW)
            .toArray());
  }

  @Test
  void noisy_latents_are_filtered_by_both_axes() {
    int d = 200;
    float[] mean = new float[d];
    float[] freq = new float[d];
    for (int j = 0; j < d; j++) {
      mean[j] = j;              // top 2% by mean: 199, 198, 197, 196
      freq[j] = (d - j) / (float) d; // top 2% by frequency: 0, 1, 2, 3
    }
    DatasetStatistics stats = DatasetStatistics.of(mean, freq);
    FilteredLatents f = FilteredLatents.of(stats, HeatmapOptions.NoisyFilter.BOTH, 2);
    assertArrayEquals(new int[] {0, 1, 2, 3, 196, 197, 198, 199}, f.excludedIds());
    assertEquals(196.0, f.meanActivationThreshold().getAsDouble());
    assertEquals(0.985, f.frequencyThreshold().getAsDouble(), 1e-6);
    assertArrayEquals(new int[] {196, 197, 198, 199},
        FilteredLatents.of(stats, HeatmapOptions.NoisyFilter.MEAN_ACTIVATION, 2).excludedIds());
    assertArrayEquals(new int[] {0, 1, 2, 3}, FilteredLatents.of(stats, HeatmapOptions.NoisyFilter.FREQUENCY, 2).excludedIds());
    assertEquals(0, FilteredLatents.of(stats, HeatmapOptions.NoisyFilter.NONE, 2).excludedCount());
    assertEquals(0, FilteredLatents.of(stats, HeatmapOptions.NoisyFilter.BOTH, 0).excludedCount());
    assertTrue(f.toString().contains("excluded 8 of 200"), f.toString());
  }

  @Test
  void filtered_latents_never_appear_in_the_heatmap_and_are_reported() {
    Scene s = new Scene(4);
    float[] mean = new float[64];
    float[] freq = new float[64];
    mean[0] = 10; // latent 0 is "noisy" by mean activation: exclude it (top 1 of 64 at p = 2)
    freq[10] = 1; // latent 10 by frequency
    TokenLatentHeatmap h = ScratchpadAnalysis.heatmap(s.patches, s.attention, s.tokens, DatasetStatistics.of(mean, freq),
        HeatmapOptions.defaults().withTopK(6));
    assertFalse(h.latentIds().contains(0));
    assertFalse(h.latentIds().contains(10));
    // both would have been columns (their regions' strongest latents): the heatmap says it filtered them
    assertEquals(List.of(0, 10), h.filteredOut());
    // without statistics the filter has nothing to read: they are columns again
    TokenLatentHeatmap unfiltered = ScratchpadAnalysis.heatmap(s.patches, s.attention, s.tokens, null,
        HeatmapOptions.defaults().withTopK(6));
    assertTrue(unfiltered.latentIds().containsAll(List.of(0, 10)) && unfiltered.filteredOut().isEmpty());
  }

  /** One scoring pass names the filtered latents exactly as building the heatmap again without the filter does. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {21, 22, 23, 24})
  void filtered_out_latents_are_those_an_unfiltered_heatmap_would_show(long seed) {
    Random rnd = new Random(seed);
    int d = 300;
    PatchActivations patches = PatchActivations.llava15(org.visualscratchpad.analysis.ranking.AttentionScorerTest.randomActs(
        rnd, 41, d, 0.08));
    FloatMatrix attn = org.visualscratchpad.analysis.ranking.AttentionScorerTest.randomAttention(rnd, 1 + rnd.nextInt(30), 40);
    List<String> tokens = new ArrayList<>();
    for (int t = 0; t < attn.rows(); t++) {
      tokens.add("t" + t);
    }
    float[] mean = new float[d];
    float[] freq = new float[d];
    for (int j = 0; j < d; j++) {
      mean[j] = rnd.nextFloat();
      freq[j] = rnd.nextFloat();
    }
    FilteredLatents filtered = FilteredLatents.of(DatasetStatistics.of(mean, freq), HeatmapOptions.NoisyFilter.BOTH, 10);
    int k = 1 + rnd.nextInt(15);
    HeatmapMatrix once = HeatmapMatrix.compute(patches, attn, tokens, TokenSpan.all(attn.rows()), filtered, k,
        AttentionWeighting.RAW);
    HeatmapMatrix unfiltered = HeatmapMatrix.compute(patches, attn, tokens, TokenSpan.all(attn.rows()),
        FilteredLatents.none(d), k, AttentionWeighting.RAW);
    List<Integer> expected = unfiltered.latentIds().stream().filter(filtered::isExcluded).toList();
    assertFalse(expected.isEmpty(), "seed " + seed + ": the filter removes nothing; the test shows nothing");
    assertEquals(expected, once.filteredOut(), "seed " + seed);
    assertTrue(once.latentIds().stream().noneMatch(filtered::isExcluded), "seed " + seed);
    assertEquals(List.of(), unfiltered.filteredOut());
  }

  @Test
  void bad_input_gets_defined_results_or_clear_errors() {
    Scene s = new Scene(5);
    // empty span
    var empty = assertThrows(InvalidInputException.class, () -> new TokenSpan(3, 3));
    assertTrue(empty.getMessage().contains("is empty"), empty.getMessage());
    var outside = assertThrows(InvalidInputException.class, () -> HeatmapMatrix.compute(s.patches, s.attention, s.tokens,
        new TokenSpan(10, 13), FilteredLatents.none(64), 20, AttentionWeighting.RAW));
    assertTrue(outside.getMessage().contains("must lie within the 12 attention rows"), outside.getMessage());
    // k larger than the active latents: every active latent, no error
    TokenLatentHeatmap big = ScratchpadAnalysis.heatmap(s.patches, s.attention, s.tokens, null, NO_FILTER.withTopK(1000));
    assertEquals(s.patches.activeLatents(), big.latentIds().size());
    // more clusters than columns
    TokenLatentHeatmap one = ScratchpadAnalysis.heatmap(s.patches, s.attention.rowRange(0, 1), s.tokens.subList(0, 1), null,
        NO_FILTER.withTopK(2));
    var tooMany = assertThrows(InvalidInputException.class, () -> one.cluster(ClusterOptions.defaults().withClusters(5)));
    assertTrue(tooMany.getMessage().contains("clusters (5) must not exceed the number of columns (2)"), tooMany.getMessage());
    // NaN attention
    float[] a = s.attention.toArray();
    a[40] = Float.NaN;
    var nan = assertThrows(InvalidInputException.class, () -> ScratchpadAnalysis.heatmap(s.patches,
        FloatMatrix.of(12, 36, a), s.tokens, null, NO_FILTER));
    assertTrue(nan.getMessage().contains("attention[1, 4] (NaN)"), nan.getMessage());
    // NaN statistics
    float[] mean = new float[64];
    mean[3] = Float.NaN;
    var nanStats = assertThrows(InvalidInputException.class, () -> DatasetStatistics.of(mean, new float[64]));
    assertTrue(nanStats.getMessage().contains("meanActivation of latent 3 (NaN)"), nanStats.getMessage());
    // statistics of another SAE
    var wrongD = assertThrows(InvalidInputException.class, () -> ScratchpadAnalysis.heatmap(s.patches, s.attention, s.tokens,
        DatasetStatistics.of(new float[10], new float[10]), HeatmapOptions.defaults()));
    assertTrue(wrongD.getMessage().contains("cover 10 latents but the SAE has 64"), wrongD.getMessage());
    // a token span that does not look at the image: nothing to show
    var dark = assertThrows(InvalidInputException.class, () -> ScratchpadAnalysis.heatmap(s.patches,
        FloatMatrix.zeros(12, 36), s.tokens, null, NO_FILTER));
    assertTrue(dark.getMessage().contains("no latent has a positive attention-weighted score"), dark.getMessage());
    // a heatmap without an answer has clusters, but nothing to ablate them on
    var noAnswer = assertThrows(org.visualscratchpad.ScratchpadException.class,
        () -> big.cluster(ClusterOptions.defaults().withClusters(2)).ablate(0));
    assertTrue(noAnswer.getMessage().contains("built from stored activations"), noAnswer.getMessage());
    // the heatmap was not harmed: it still builds
    assertNotNull(ScratchpadAnalysis.heatmap(s.patches, s.attention, s.tokens, null, NO_FILTER));
  }

  @Test
  void builds_on_the_scratchpad_fixture_with_its_sparsity_statistics() {
    try (SafetensorsFile out = SafetensorsFile.open(Fixtures.scratchpadLlava().resolve("outputs.safetensors"));
        SafetensorsFile sparsity = SafetensorsFile.open(Fixtures.scratchpadLlava().resolve("sae/sparsity.safetensors"))) {
      PatchActivations patches = PatchActivations.llava15(SparseActivations.fromDense(out.floatMatrix("case0.sae_acts")));
      FloatMatrix attn = out.floatMatrix("case0.attn.gen_producing");
      List<String> tokens = new ArrayList<>();
      for (long id : out.longs("case0.generated_ids")) {
        tokens.add("#" + id);
      }
      tokens = tokens.subList(tokens.size() - 8, tokens.size());
      float[] logFreq = sparsity.floats("sparsity");
      float[] mean = AttentionScorer.meanOverPatches(patches).toArray(); // a stand-in for data-set mean activations
      DatasetStatistics stats = DatasetStatistics.fromLog10Sparsity(mean, logFreq);
      TokenLatentHeatmap h = ScratchpadAnalysis.heatmap(patches, attn, tokens, stats, HeatmapOptions.defaults());
      int[] excluded = FilteredLatents.of(stats, HeatmapOptions.NoisyFilter.BOTH, 2).excludedIds();
      FloatMatrix ref = out.floatMatrix("case0.scores.gen_producing");
      for (int t = 0; t < 8; t++) {
        // every token's top-20 (among non-excluded latents) is in the heatmap
        float[] row = ref.row(t);
        for (int j : excluded) {
          row[j] = 0;
        }
        for (RankedLatent r : org.visualscratchpad.analysis.ranking.LatentScoreVector.of(row).topK(20)) {
          assertTrue(h.latentIds().contains(r.latentId()), "token " + t + " latent " + r);
        }
      }
      assertEquals(4, h.cluster(ClusterOptions.defaults().withClusters(4)).clusters().size());
    }
  }
}
