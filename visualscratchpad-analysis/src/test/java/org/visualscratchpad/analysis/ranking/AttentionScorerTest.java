package org.visualscratchpad.analysis.ranking;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.analysis.Fixtures;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

public class AttentionScorerTest {
  private static final float SCORE_ATOL = 1e-5f;

  private static List<String> names(int n) {
    return IntStream.range(0, n).mapToObj(i -> "t" + i).collect(Collectors.toList());
  }

  private static void assertClose(float[] expected, float[] actual, float atol, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], atol, what + " at " + i);
    }
  }

  @ParameterizedTest(name = "case{0}")
  @ValueSource(ints = {0, 1, 2})
  void scores_match_the_scratchpad_fixture(int c) {
    try (SafetensorsFile out = SafetensorsFile.open(Fixtures.scratchpadLlava().resolve("outputs.safetensors"))) {
      String p = "case" + c + ".";
      SparseActivations acts = SparseActivations.fromDense(out.floatMatrix(p + "sae_acts"));
      PatchActivations patches = PatchActivations.llava15(acts);
      assertEquals(36, patches.imageTokens());
      for (String conv : List.of("gen_producing", "gen_own", "prompt_own")) {
        FloatMatrix attn = out.floatMatrix(p + "attn." + conv);
        TokenLatentScores s = new AttentionScorer(patches, attn, AttentionWeighting.RAW).scores(names(attn.rows()));
        FloatMatrix expected = out.floatMatrix(p + "scores." + conv);
        assertTrue(expected.maxAbsDiff(s.scores()) < SCORE_ATOL,
            conv + " max diff " + expected.maxAbsDiff(s.scores()));
      }
      assertClose(out.floats(p + "scores.mean_patches"), AttentionScorer.meanOverPatches(patches).toArray(), SCORE_ATOL,
          "mean_patches");
      // per image mass: the raw score divided by the stored mass
      FloatMatrix attn = out.floatMatrix(p + "attn.gen_producing");
      float[] mass = out.floats(p + "attn.gen_producing_image_mass");
      TokenLatentScores w = new AttentionScorer(patches, attn, AttentionWeighting.PER_IMAGE_MASS).scores(names(8));
      FloatMatrix raw = out.floatMatrix(p + "scores.gen_producing");
      for (int t = 0; t < 8; t++) {
        for (int j = 0; j < 256; j++) {
          assertEquals(raw.get(t, j) / mass[t], w.scores().get(t, j), 1e-4f * (1 + Math.abs(raw.get(t, j) / mass[t])));
        }
      }
    }
  }

  @ParameterizedTest(name = "case{0}")
  @ValueSource(ints = {0, 1, 2})
  void ranking_matches_the_fixture_where_scores_are_well_separated(int c) {
    try (SafetensorsFile out = SafetensorsFile.open(Fixtures.scratchpadLlava().resolve("outputs.safetensors"))) {
      String p = "case" + c + ".";
      PatchActivations patches = PatchActivations.llava15(SparseActivations.fromDense(out.floatMatrix(p + "sae_acts")));
      FloatMatrix attn = out.floatMatrix(p + "attn.gen_producing");
      LatentScoreVector mean = new AttentionScorer(patches, attn, AttentionWeighting.RAW).scores(names(8))
          .span(0, 8, SpanAggregation.MEAN);
      int[] ours = mean.ranking();
      long[] ref = out.longs(p + "ranking");
      // compare the top 21 where consecutive reference scores differ by more than 10x our error bound
      int compared = 0;
      for (int i = 0; i < 21; i++) {
        float gapBefore = i == 0 ? Float.MAX_VALUE : mean.score((int) ref[i - 1]) - mean.score((int) ref[i]);
        float gapAfter = mean.score((int) ref[i]) - mean.score((int) ref[i + 1]);
        if (Math.min(gapBefore, gapAfter) > 1e-4f) {
          assertEquals(ref[i], ours[i], "rank " + i);
          compared++;
        }
      }
      assertTrue(compared >= 15, "compared only " + compared + " ranks");
      // the fused top-k kernel agrees with the dense ranking
      List<List<RankedLatent>> top = new AttentionScorer(patches, attn, AttentionWeighting.RAW).topK(20, new BitSet());
      FloatMatrix expected = out.floatMatrix(p + "scores.gen_producing");
      for (int t = 0; t < 8; t++) {
        float[] row = expected.row(t);
        List<RankedLatent> got = top.get(t);
        assertEquals(20, got.size());
        for (RankedLatent r : got) {
          assertEquals(row[r.latentId()], r.score(), SCORE_ATOL);
        }
        float weakest = got.get(19).score();
        for (int j = 0; j < 256; j++) {
          final int id = j;
          if (got.stream().noneMatch(r -> r.latentId() == id)) {
            assertTrue(row[j] <= weakest + SCORE_ATOL, "latent " + j + " (" + row[j] + ") beats the top-20 floor " + weakest);
          }
        }
      }
    }
  }

  /** Seeded random sparse activations and attention; the seed is in every message. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 1234})
  void top_k_and_scores_equal_the_reference_scores_on_random_input(long seed) {
    Random rnd = new Random(seed);
    int patches = 20 + rnd.nextInt(40);
    int d = 64 + rnd.nextInt(200);
    int tokens = 1 + rnd.nextInt(30);
    SparseActivations acts = randomActs(rnd, patches + 1, d, 0.1);
    PatchActivations pa = PatchActivations.llava15(acts);
    FloatMatrix attn = randomAttention(rnd, tokens, patches);
    int k = 1 + rnd.nextInt(12);
    BitSet excluded = new BitSet();
    for (int j = 0; j < d; j += 7) {
      excluded.set(j);
    }
    for (AttentionWeighting w : AttentionWeighting.values()) {
      FloatMatrix ref = ReferenceScores.scores(pa, attn, w);
      AttentionScorer scorer = new AttentionScorer(pa, attn, w);
      assertTrue(ref.maxAbsDiff(scorer.scores(names(tokens)).scores()) < 1e-4f, "seed " + seed + " " + w);
      List<List<RankedLatent>> fast = scorer.topK(k, excluded);
      for (int t = 0; t < tokens; t++) {
        float[] row = ref.row(t);
        for (int j = 0; j < d; j += 7) {
          row[j] = 0f;
        }
        List<RankedLatent> expected = LatentScoreVector.of(row).topK(k);
        List<RankedLatent> got = fast.get(t);
        assertEquals(expected.size(), got.size(), "seed " + seed + " token " + t);
        for (int i = 0; i < got.size(); i++) {
          assertEquals(expected.get(i).score(), got.get(i).score(), 1e-4f, "seed " + seed + " token " + t + " rank " + i);
          assertFalse(excluded.get(got.get(i).latentId()), "seed " + seed + ": excluded latent ranked");
        }
      }
    }
  }

  /** The excluded latents' own top-k, merged with the kept ones, is the top-k without exclusion: one pass serves both. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {8, 9, 10, 11})
  void split_top_k_merges_into_the_top_k_without_exclusion(long seed) {
    Random rnd = new Random(seed);
    int tokens = 1 + rnd.nextInt(40);
    int d = 80 + rnd.nextInt(200);
    PatchActivations pa = PatchActivations.llava15(randomActs(rnd, 31, d, 0.1));
    FloatMatrix attn = randomAttention(rnd, tokens, 30);
    int k = 1 + rnd.nextInt(10);
    BitSet excluded = new BitSet();
    for (int j = seed % 2 == 0 ? 0 : 1; j < d; j += 3) {
      excluded.set(j);
    }
    AttentionScorer scorer = new AttentionScorer(pa, attn, AttentionWeighting.RAW);
    AttentionScorer.Split split = scorer.topKSplit(k, excluded);
    assertEquals(scorer.topK(k, excluded), split.kept(), "seed " + seed);
    List<List<RankedLatent>> all = scorer.topK(k, new BitSet());
    for (int t = 0; t < tokens; t++) {
      assertEquals(all.get(t), split.merged(t, k), "seed " + seed + " token " + t);
      for (RankedLatent r : split.excluded().get(t)) {
        assertTrue(excluded.get(r.latentId()), "seed " + seed + ": kept latent " + r + " in the excluded list");
      }
    }
    assertEquals(all, scorer.topKSplit(k, new BitSet()).kept());
    assertTrue(scorer.topKSplit(k, new BitSet()).excluded().stream().allMatch(List::isEmpty));
  }

  @Test
  void the_mean_over_patches_is_the_score_under_uniform_attention() {
    Random rnd = new Random(17);
    PatchActivations pa = PatchActivations.llava15(randomActs(rnd, 37, 150, 0.1));
    assertClose(ReferenceScores.meanOverPatches(pa), AttentionScorer.meanOverPatches(pa).toArray(), 1e-5f, "mean");
    assertArrayEquals(AttentionScorer.meanOverPatches(pa).toArray(),
        AttentionScorer.uniform(pa, 3).scores(names(3)).row(2).toArray());
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {5, 6, 7})
  void vector_kernel_equals_the_scalar_kernel(long seed) {
    Random rnd = new Random(seed);
    int tokens = 1 + rnd.nextInt(70); // several blocks and a ragged last block
    PatchActivations pa = PatchActivations.llava15(randomActs(rnd, 41, 300, 0.08));
    FloatMatrix attn = randomAttention(rnd, tokens, 40);
    AttentionScorer best = new AttentionScorer(pa, attn, AttentionWeighting.RAW);
    AttentionScorer scalar = new AttentionScorer(pa, attn, AttentionWeighting.RAW, new ScoreKernel.ScalarScoreKernel(8));
    int[] all = IntStream.range(0, 300).toArray();
    assertTrue(best.scoresOf(all).maxAbsDiff(scalar.scoresOf(all)) < 1e-5f, "seed " + seed + " " + best);
    FloatMatrix ref = ReferenceScores.scores(pa, attn, AttentionWeighting.RAW);
    assertTrue(ref.maxAbsDiff(scalar.scoresOf(all)) < 1e-5f, "seed " + seed);
    List<List<RankedLatent>> a = best.topK(7, new BitSet());
    List<List<RankedLatent>> b = scalar.topK(7, new BitSet());
    for (int t = 0; t < tokens; t++) {
      for (int i = 0; i < a.get(t).size(); i++) {
        assertEquals(b.get(t).get(i).score(), a.get(t).get(i).score(), 1e-5f, "seed " + seed + " token " + t);
      }
    }
  }

  @Test
  void anyres_locations_pick_rows_of_the_right_crop() {
    // crop 0 and crop 1 with distinct latents; image token 0 -> crop 1 patch 2, image token 1 -> crop 0 patch 0
    SparseActivations crop0 = SparseActivations.fromDense(FloatMatrix.of(3, 4, new float[] {0, 0, 0, 9, 1, 0, 0, 0, 0, 0, 0, 0}));
    SparseActivations crop1 = SparseActivations.fromDense(FloatMatrix.of(4, 4, new float[] {
        0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0}));
    List<ImageTokenLocation> locs = List.of(
        new ImageTokenLocation(0, 1, 1, 0, 2, new PixelBox(0, 0, 7, 7)),
        new ImageTokenLocation(1, 0, 0, 0, 0, new PixelBox(7, 0, 7, 7)));
    PatchActivations pa = PatchActivations.of(List.of(crop0, crop1), ImageTokenRows.fromLocations(locs));
    assertEquals(5f, pa.get(0, 2));
    assertEquals(1f, pa.get(1, 0));
    TokenLatentScores s = new AttentionScorer(pa, FloatMatrix.of(1, 2, new float[] {0.5f, 0.25f}), AttentionWeighting.RAW)
        .scores(List.of("x"));
    assertArrayEquals(new float[] {0.25f, 0f, 2.5f, 0f}, s.row(0).toArray());
    // CLS (latent 3) never contributes
    assertEquals(0f, s.row(0).score(3));
  }

  @Test
  void top_k_returns_fewer_when_fewer_latents_are_active() {
    PatchActivations pa = PatchActivations.llava15(SparseActivations.fromDense(
        FloatMatrix.of(3, 5, new float[] {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0})));
    FloatMatrix attn = FloatMatrix.of(1, 2, new float[] {0.1f, 0.2f});
    AttentionScorer scorer = new AttentionScorer(pa, attn, AttentionWeighting.RAW);
    List<RankedLatent> top = scorer.topK(20, new BitSet()).get(0);
    assertEquals(List.of(new RankedLatent(2, 0.4f), new RankedLatent(0, 0.1f)), top);
    assertEquals(top, scorer.scores(List.of("a")).row(0).topK(20));
  }

  @Test
  void zero_image_mass_scores_zero_under_per_mass_weighting() {
    PatchActivations pa = PatchActivations.llava15(SparseActivations.fromDense(FloatMatrix.of(2, 2, new float[] {0, 0, 1, 1})));
    TokenLatentScores s = new AttentionScorer(pa, FloatMatrix.zeros(1, 1), AttentionWeighting.PER_IMAGE_MASS).scores(List.of("bos"));
    assertArrayEquals(new float[] {0, 0}, s.row(0).toArray());
  }

  @Test
  void bad_input_gets_clear_errors() {
    PatchActivations pa = PatchActivations.llava15(SparseActivations.fromDense(FloatMatrix.of(3, 2, new float[] {0, 0, 1, 1, 0, 1})));
    var nan = assertThrows(InvalidInputException.class, () -> new AttentionScorer(pa,
        FloatMatrix.of(1, 2, new float[] {Float.NaN, 0}), AttentionWeighting.RAW));
    assertTrue(nan.getMessage().contains("attention[0, 0] (NaN)"), nan.getMessage());
    var cols = assertThrows(InvalidInputException.class, () -> new AttentionScorer(pa,
        FloatMatrix.zeros(1, 3), AttentionWeighting.RAW));
    assertTrue(cols.getMessage().contains("3 columns but the image has 2 image tokens"), cols.getMessage());
    TokenLatentScores s = new AttentionScorer(pa, FloatMatrix.zeros(2, 2), AttentionWeighting.RAW).scores(List.of("a", "b"));
    var rowsOfTokens = assertThrows(InvalidInputException.class,
        () -> new AttentionScorer(pa, FloatMatrix.zeros(2, 2), AttentionWeighting.RAW).scores(List.of("a")));
    assertTrue(rowsOfTokens.getMessage().contains("tokens (1) must match the attention rows (2)"), rowsOfTokens.getMessage());
    var empty = assertThrows(InvalidInputException.class, () -> s.span(1, 1, SpanAggregation.MEAN));
    assertTrue(empty.getMessage().contains("is empty"), empty.getMessage());
    var rows = assertThrows(InvalidInputException.class, () -> PatchActivations.of(
        List.of(SparseActivations.empty(3, 2)), ImageTokenRows.llava15(5)));
    assertTrue(rows.getMessage().contains("maps to SAE row 3 of crop 0, which has only 3 rows"), rows.getMessage());
    assertThrows(InvalidInputException.class, () -> s.row(0).topK(0));
  }

  @Test
  void span_aggregations_combine_rows() {
    PatchActivations pa = PatchActivations.llava15(SparseActivations.fromDense(FloatMatrix.of(2, 2, new float[] {0, 0, 1, 2})));
    TokenLatentScores s = new AttentionScorer(pa, FloatMatrix.of(2, 1, new float[] {1, 3}), AttentionWeighting.RAW)
        .scores(List.of("a", "b"));
    assertArrayEquals(new float[] {2, 4}, s.span(0, 2, SpanAggregation.MEAN).toArray());
    assertArrayEquals(new float[] {4, 8}, s.span(0, 2, SpanAggregation.SUM).toArray());
    assertArrayEquals(new float[] {3, 6}, s.span(0, 2, SpanAggregation.MAX).toArray());
    assertTrue(s.toString().contains("2 tokens x 2 latents"), s.toString());
  }

  public static SparseActivations randomActs(Random rnd, int rows, int d, double density) {
    SparseActivations.Builder b = SparseActivations.builder(d);
    int[] ids = new int[d];
    float[] vals = new float[d];
    for (int r = 0; r < rows; r++) {
      int n = 0;
      for (int j = 0; j < d; j++) {
        if (rnd.nextDouble() < density) {
          ids[n] = j;
          vals[n++] = 0.01f + rnd.nextFloat() * 5f;
        }
      }
      b.addRow(ids, vals, n);
    }
    return b.build();
  }

  public static FloatMatrix randomAttention(Random rnd, int tokens, int imageTokens) {
    float[] a = new float[tokens * imageTokens];
    for (int t = 0; t < tokens; t++) {
      float mass = 0.1f + 0.8f * rnd.nextFloat();
      float sum = 0;
      for (int k = 0; k < imageTokens; k++) {
        a[t * imageTokens + k] = (float) -Math.log(1e-9 + rnd.nextDouble());
        sum += a[t * imageTokens + k];
      }
      for (int k = 0; k < imageTokens; k++) {
        a[t * imageTokens + k] *= mass / sum;
      }
    }
    return FloatMatrix.of(tokens, imageTokens, a);
  }
}
