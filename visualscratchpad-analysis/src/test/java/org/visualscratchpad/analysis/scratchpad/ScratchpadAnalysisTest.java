package org.visualscratchpad.analysis.scratchpad;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.analysis.Fixtures;
import org.visualscratchpad.attention.AttentionConvention;
import org.visualscratchpad.attention.TextImageAttention;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.scratchpad.AnalysisProvider;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.LatentCluster;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.LatentRanking;
import org.visualscratchpad.scratchpad.Picture;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.scratchpad.Token;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/** The fluent API reaches this module through the service loader and gets the fixture's ranking. */
class ScratchpadAnalysisTest {
  static Answer answer;
  static long[] ranking;

  @BeforeAll
  static void load() {
    try (SafetensorsFile out = SafetensorsFile.open(Fixtures.scratchpadLlava().resolve("outputs.safetensors"))) {
      SparseActivations acts = SparseActivations.fromDense(out.floatMatrix("case1.sae_acts"));
      FloatMatrix attn = out.floatMatrix("case1.attn.gen_producing");
      long[] ids = out.longs("case1.generated_ids");
      List<Token> generated = new ArrayList<>();
      List<String> texts = new ArrayList<>();
      List<Integer> positions = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int position = 45 + t;
        generated.add(new Token((int) ids[position], "w" + ids[position], position));
        texts.add("w" + ids[position]);
        positions.add(position);
      }
      List<ImageTokenLocation> locs = new ArrayList<>();
      for (int k = 0; k < 36; k++) {
        locs.add(new ImageTokenLocation(k, 0, k / 6, k % 6, k, new PixelBox((k % 6) * 7, (k / 6) * 7, 7, 7)));
      }
      answer = new Answer(null, new BufferedImage(42, 42, BufferedImage.TYPE_INT_RGB), "describe", AskOptions.defaults(),
          List.of(), generated, List.of(acts), new TextImageAttention(AttentionConvention.PRODUCING_STEP, texts, positions, attn),
          locs);
      ranking = out.longs("case1.ranking");
    }
  }

  @Test
  void the_service_loader_finds_this_provider() {
    assertInstanceOf(ScratchpadAnalysis.class, AnalysisProvider.get());
  }

  @Test
  void rank_latents_reproduces_the_fixture_ranking() {
    LatentRanking r = answer.rankLatents();
    // case1's smallest gap in the top 21 is 1.6e-3: the top 20 is well separated
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add((int) ranking[i]);
    }
    assertEquals(expected, r.top(20));
    assertEquals(8, r.perToken().size());
  }

  @Test
  void heatmap_cluster_and_picture_through_the_fluent_api() {
    TokenLatentHeatmap h = answer.heatmap(HeatmapOptions.defaults().withTopK(10)
        .withNormalization(HeatmapOptions.Normalization.COLUMN));
    assertEquals(8, h.tokens().size());
    assertTrue(h.latentIds().size() >= 10);
    assertTrue(h.filteredOut().isEmpty(), "no statistics loaded: nothing filtered");
    LatentClusters c = h.cluster(ClusterOptions.defaults().withClusters(3));
    assertEquals(3, c.clusters().size());
    int total = c.clusters().stream().mapToInt(x -> x.latentIds().size()).sum();
    assertEquals(h.latentIds().size(), total);
    Picture p = c.picture();
    assertArrayEquals(p.png(), c.picture().png());
    p.save(Fixtures.pictures().resolve("fluent-heatmap.png"));
    LatentClusters k = h.cluster(ClusterOptions.defaults().withMethod(ClusterOptions.Method.KMEANS).withClusters(3).withSeed(4));
    assertEquals(k.clusters(), h.cluster(ClusterOptions.defaults().withMethod(ClusterOptions.Method.KMEANS)
        .withClusters(3).withSeed(4)).clusters());
    assertTrue(h.picture().png().length > 100);
  }

  @Test
  void a_picture_is_drawn_from_the_clusters_it_is_given_without_clustering_again() {
    TokenLatentHeatmap h = answer.heatmap(HeatmapOptions.defaults().withTopK(10));
    LatentClusters hierarchical = h.cluster(ClusterOptions.defaults().withClusters(3));
    assertTrue(hierarchical.dendrogram().isPresent());
    assertEquals(h.latentIds().size(), hierarchical.dendrogram().get().leaves());
    assertTrue(h.cluster(ClusterOptions.defaults().withMethod(ClusterOptions.Method.KMEANS).withClusters(3)).dendrogram()
        .isEmpty());
    // the same columns, order and tree, but every latent in one band: a picture that clustered again would not see it
    LatentClusters oneBand = new LatentClusters(h, hierarchical.options(),
        List.of(new LatentCluster(0, h.latentIds(), List.of())), hierarchical.leafOrder(), hierarchical.dendrogram());
    assertFalse(java.util.Arrays.equals(hierarchical.picture().png(), oneBand.picture().png()));
    assertArrayEquals(hierarchical.picture().png(), new LatentClusters(h, hierarchical.options(), hierarchical.clusters(),
        hierarchical.leafOrder(), hierarchical.dendrogram()).picture().png());
    var bad = assertThrows(org.visualscratchpad.InvalidInputException.class, () -> new LatentClusters(h,
        hierarchical.options(), hierarchical.clusters(), hierarchical.leafOrder().subList(1, h.latentIds().size()),
        java.util.Optional.empty()));
    assertTrue(bad.getMessage().contains("must cover the heatmap's"), bad.getMessage());
  }

  @Test
  void each_noisy_filter_choice_removes_its_axes_from_the_heatmap() {
    // statistics for the fixture's 256 latents: the answer's strongest latent is the only one with a mean
    // activation, the second strongest the only frequent one (2 % of 256 is 5 per axis, but a latent
    // whose statistic is 0 is never flagged)
    LatentRanking ranking = answer.rankLatents();
    int strongest = ranking.top(2).get(0);
    int second = ranking.top(2).get(1);
    float[] mean = new float[256];
    float[] freq = new float[256];
    mean[strongest] = 50;
    freq[second] = 0.9f;
    var stats = org.visualscratchpad.sae.DatasetStatistics.of(mean, freq);
    var patches = ScratchpadAnalysis.patches(answer);
    HeatmapOptions o = HeatmapOptions.defaults().withTopK(20);
    java.util.function.Function<HeatmapOptions.NoisyFilter, TokenLatentHeatmap> build = filter -> ScratchpadAnalysis.heatmap(
        patches, answer.attention().weights(), answer.attention().tokens(), stats, o.withFilter(filter, 2));
    TokenLatentHeatmap both = build.apply(HeatmapOptions.NoisyFilter.BOTH);
    assertFalse(both.latentIds().contains(strongest) || both.latentIds().contains(second), both.toString());
    assertTrue(both.filteredOut().containsAll(List.of(strongest, second)), both.filteredOut().toString());
    TokenLatentHeatmap byMean = build.apply(HeatmapOptions.NoisyFilter.MEAN_ACTIVATION);
    assertFalse(byMean.latentIds().contains(strongest));
    assertTrue(byMean.latentIds().contains(second));
    TokenLatentHeatmap byFrequency = build.apply(HeatmapOptions.NoisyFilter.FREQUENCY);
    assertTrue(byFrequency.latentIds().contains(strongest));
    assertFalse(byFrequency.latentIds().contains(second));
    TokenLatentHeatmap none = build.apply(HeatmapOptions.NoisyFilter.NONE);
    assertTrue(none.latentIds().containsAll(List.of(strongest, second)) && none.filteredOut().isEmpty());
  }

  /** {@link #answer} cut to its first {@code words} tokens, followed by an end-of-sequence token (text ""). */
  static Answer withEndToken(int words) {
    List<Token> generated = new ArrayList<>(answer.generated().subList(0, words));
    Token last = answer.generated().get(words);
    generated.add(new Token(last.id(), "", last.position()));
    List<String> texts = generated.stream().map(Token::text).toList();
    List<Integer> positions = generated.stream().map(Token::position).toList();
    FloatMatrix attn = answer.attention().weights().rowRange(0, words + 1);
    return new Answer(null, new BufferedImage(42, 42, BufferedImage.TYPE_INT_RGB), "describe", AskOptions.defaults(),
        List.of(), generated, answer.activations(),
        new TextImageAttention(AttentionConvention.PRODUCING_STEP, texts, positions, attn), answer.imageTokens());
  }

  /** Issue 13 item 11: the end-of-sequence token is no heatmap row by default, and too few rows are warned about. */
  @Test
  void the_end_token_is_left_out_and_a_heatmap_of_fewer_than_3_tokens_is_warned_about() {
    HeatmapOptions unfiltered = HeatmapOptions.defaults().withFilter(HeatmapOptions.NoisyFilter.NONE, 0);
    Answer oneWord = withEndToken(1);
    TokenLatentHeatmap h = oneWord.heatmap(unfiltered);
    assertEquals(List.of(oneWord.generated().get(0).text()), h.tokens());
    assertEquals(1, h.warnings().size(), h.warnings().toString());
    assertTrue(h.warnings().get(0).startsWith("1 token row (the end-of-sequence token left out)"), h.warnings().get(0));
    LatentClusters c = h.cluster(ClusterOptions.defaults().withClusters(2));
    assertTrue(c.toString().contains("warning: 1 token row"), c.toString());
    // kept on request: two rows, still too few
    TokenLatentHeatmap kept = oneWord.heatmap(unfiltered.withEndToken(true));
    assertEquals(2, kept.tokens().size());
    assertEquals("", kept.tokens().get(1));
    assertTrue(kept.warnings().get(0).startsWith("2 token rows:"), kept.warnings().toString());
    // three words and the end token: three rows, nothing to warn about
    TokenLatentHeatmap three = withEndToken(3).heatmap(unfiltered);
    assertEquals(3, three.tokens().size());
    assertTrue(three.warnings().isEmpty(), three.warnings().toString());
    // an answer without an end token keeps all its rows
    assertEquals(8, answer.heatmap(unfiltered).tokens().size());
    assertTrue(answer.heatmap(unfiltered).warnings().isEmpty());
  }
}
