package org.visualscratchpad.analysis.scratchpad;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.visualscratchpad.analysis.cluster.ColumnClusterer;
import org.visualscratchpad.analysis.cluster.ColumnClustering;
import org.visualscratchpad.analysis.heatmap.FilteredLatents;
import org.visualscratchpad.analysis.heatmap.HeatmapMatrix;
import org.visualscratchpad.analysis.heatmap.TokenSpan;
import org.visualscratchpad.analysis.ranking.AttentionWeighting;
import org.visualscratchpad.analysis.ranking.ImageTokenRows;
import org.visualscratchpad.analysis.ranking.AttentionScorer;
import org.visualscratchpad.analysis.ranking.PatchActivations;
import org.visualscratchpad.analysis.ranking.SpanAggregation;
import org.visualscratchpad.analysis.render.HeatmapPicture;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.analysis.embedding.LatentMap;
import org.visualscratchpad.analysis.embedding.UmapOptions;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.scratchpad.AnalysisProvider;
import org.visualscratchpad.scratchpad.DecoderMap;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.LatentCluster;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.Picture;
import org.visualscratchpad.scratchpad.RankOptions;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * This module's {@link AnalysisProvider}: what {@code answer.rankLatents()}, {@code answer.heatmap()},
 * {@code heatmap.cluster()} and {@code .picture()} run. Registered in {@code
 * META-INF/services/org.visualscratchpad.scratchpad.AnalysisProvider}.
 *
 * <pre>{@code
 * jshell> answer.heatmap(HeatmapOptions.defaults().withNormalization(HeatmapOptions.Normalization.COLUMN)).cluster().picture()
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class ScratchpadAnalysis implements AnalysisProvider {

  /** The image's activations by image token, from the answer's crops and token locations. */
  public static PatchActivations patches(Answer answer) {
    return PatchActivations.of(answer.activations(), ImageTokenRows.fromLocations(answer.imageTokens()));
  }

  @Override
  public org.visualscratchpad.scratchpad.LatentRanking rank(Answer answer, RankOptions options) {
    PatchActivations patches = patches(answer);
    int tokens = answer.attention().weights().rows();
    int end = options.spanEnd() == -1 ? tokens : options.spanEnd();
    List<List<RankedLatent>> perToken = new ArrayList<>();
    List<RankedLatent> overall;
    if (options.attentionWeighted()) {
      AttentionScorer scorer = new AttentionScorer(patches, answer.attention().weights(),
          options.divideByImageMass() ? AttentionWeighting.PER_IMAGE_MASS : AttentionWeighting.RAW);
      perToken.addAll(scorer.topK(options.topK(), new BitSet()));
      overall = scorer.scores(answer.attention().tokens()).span(options.spanStart(), end, SpanAggregation.MEAN)
          .topK(options.topK());
    } else {
      List<RankedLatent> top = AttentionScorer.meanOverPatches(patches).topK(options.topK());
      for (int t = 0; t < tokens; t++) {
        perToken.add(top);
      }
      overall = top;
    }
    return new org.visualscratchpad.scratchpad.LatentRanking(answer, options, perToken, overall);
  }

  /** The heatmap of the answer's image and generated tokens, filtered by its scratchpad's statistics if loaded. */
  @Override
  public TokenLatentHeatmap heatmap(Answer answer, HeatmapOptions options) {
    DatasetStatistics stats = answer.source().flatMap(Scratchpad::statistics).orElse(null);
    return heatmap(answer, patches(answer), answer.attention().weights(), answer.attention().tokens(), stats, options);
  }

  /**
   * The token-latent heatmap of stored activations and attention, without an answer (its {@link
   * TokenLatentHeatmap#answer()} is null, so its clusters cannot be ablated): e.g. {@code vsp
   * heatmap} on a safetensors file.
   *
   * @param attention {@code [tokens x imageTokens]}
   * @param tokens one string per attention row
   * @param stats the statistics the noisy-latent filter reads; null to filter nothing
   * @throws InvalidInputException if the shapes disagree, the statistics belong to another SAE or no
   *     latent scores above 0
   */
  public static TokenLatentHeatmap heatmap(PatchActivations patches, FloatMatrix attention, List<String> tokens,
      DatasetStatistics stats, HeatmapOptions options) {
    return heatmap(null, patches, attention, tokens, stats, options);
  }

  private static TokenLatentHeatmap heatmap(Answer answer, PatchActivations patches, FloatMatrix attention,
      List<String> tokens, DatasetStatistics stats, HeatmapOptions options) {
    FloatMatrix attn = attention;
    if (!options.attentionWeighted()) {
      float[] uniform = new float[attn.rows() * attn.cols()];
      Arrays.fill(uniform, 1f / attn.cols());
      attn = FloatMatrix.adopt(attn.rows(), attn.cols(), uniform);
    }
    List<String> warnings = new ArrayList<>();
    int rows = attn.rows();
    boolean endToken = rows > 0 && tokens.get(rows - 1).isEmpty();
    if (endToken && !options.includeEndToken()) {
      if (rows > 1) {
        rows--;
      } else {
        warnings.add("the answer is only its end-of-sequence token, so that token is the heatmap's one row");
      }
    }
    TokenSpan span = TokenSpan.all(rows);
    if (rows < 3) {
      warnings.add(rows + " token row" + (rows == 1 ? "" : "s")
          + (endToken && !options.includeEndToken() && attn.rows() > rows ? " (the end-of-sequence token left out)" : "")
          + ": with fewer than 3 rows every correlation between two latent columns is +1 or -1 (or undefined), so "
          + "clusters by correlation say little. Ask for a longer answer (a describing prompt, more new tokens).");
    }
    boolean filter = stats != null && options.noisyFilter() != HeatmapOptions.NoisyFilter.NONE && options.noisyPercent() > 0;
    FilteredLatents filtered = filter ? FilteredLatents.of(stats, options.noisyFilter(), options.noisyPercent())
        : FilteredLatents.none(patches.dSae());
    HeatmapMatrix matrix = HeatmapMatrix.compute(patches, attn, tokens, span, filtered, options.topK(), AttentionWeighting.RAW);
    FloatMatrix values = HeatmapMatrix.normalise(matrix.scores(), options.normalization());
    return new TokenLatentHeatmap(answer, options, matrix.tokens(), matrix.latentIds(), values, matrix.filteredOut(),
        warnings);
  }

  @Override
  public LatentClusters cluster(TokenLatentHeatmap heatmap, ClusterOptions options) {
    ColumnClustering c = ColumnClusterer.cluster(heatmap.values(), options);
    FloatMatrix strength = HeatmapMatrix.normalise(heatmap.values(), HeatmapOptions.Normalization.COLUMN);
    List<LatentCluster> clusters = new ArrayList<>();
    for (int label = 0; label < c.clusterCount(); label++) {
      List<Integer> members = c.members(label);
      List<Integer> ids = new ArrayList<>();
      double[] mean = new double[strength.rows()];
      for (int column : members) {
        ids.add(heatmap.latentIds().get(column));
        for (int r = 0; r < mean.length; r++) {
          mean[r] += strength.get(r, column) / members.size();
        }
      }
      Integer[] order = new Integer[mean.length];
      for (int r = 0; r < order.length; r++) {
        order[r] = r;
      }
      Arrays.sort(order, (a, b) -> Double.compare(mean[b], mean[a]));
      List<String> strongest = new ArrayList<>();
      for (int i = 0; i < Math.min(3, order.length) && mean[order[i]] > 0; i++) {
        strongest.add(heatmap.tokens().get(order[i]));
      }
      clusters.add(new LatentCluster(label, ids, strongest));
    }
    return new LatentClusters(heatmap, options, clusters, c.order(), c.dendrogram());
  }

  /** The heatmap drawn by {@link HeatmapPicture}: in the clusters' leaf order with their bands and tree, if given. */
  @Override
  public Picture picture(TokenLatentHeatmap heatmap, LatentClusters clusters) {
    return HeatmapPicture.render(heatmap, clusters);
  }

  /** UMAP ({@link LatentMap}, default options with {@code seed}) of the SAE's unit decoder directions. */
  @Override
  public DecoderMap mapDecoder(SparseAutoencoder sae, long seed) {
    InvalidInputException.check(sae != null, "sae must not be null");
    int dSae = sae.dSae();
    int dIn = sae.dIn();
    float[] rows = new float[dSae * dIn];
    for (int latentId = 0; latentId < dSae; latentId++) {
      System.arraycopy(sae.decoderDirection(latentId), 0, rows, latentId * dIn, dIn);
    }
    LatentMap map = LatentMap.of(FloatMatrix.of(dSae, dIn, rows), UmapOptions.defaults().withSeed(seed));
    float[] xy = new float[2 * dSae];
    for (int latentId = 0; latentId < dSae; latentId++) {
      xy[2 * latentId] = map.x(latentId);
      xy[2 * latentId + 1] = map.y(latentId);
    }
    return new DecoderMap(FloatMatrix.of(dSae, 2, xy), java.util.Collections.nCopies(dSae, -1), 0, seed,
        "UMAP of unit decoder directions (" + map.pieces() + " pieces)");
  }

  /** k-means (Euclidean, seeded with the map's seed) of the map's positions. */
  @Override
  public DecoderMap clusterMap(DecoderMap map, int clusters) {
    int n = map.dSae();
    InvalidInputException.check(clusters >= 1 && clusters <= n, "clusters (%s) must lie in [1, %s]", clusters, n);
    float[] d = new float[2 * n];
    for (int latentId = 0; latentId < n; latentId++) {
      d[latentId] = map.positions().get(latentId, 0);
      d[n + latentId] = map.positions().get(latentId, 1);
    }
    ColumnClustering c = ColumnClusterer.cluster(FloatMatrix.of(2, n, d), ClusterOptions.defaults()
        .withMethod(ClusterOptions.Method.KMEANS).withDistance(ClusterOptions.Distance.EUCLIDEAN).withClusters(clusters)
        .withSeed(map.seed()));
    List<Integer> labels = new ArrayList<>(n);
    for (int latentId = 0; latentId < n; latentId++) {
      labels.add(c.labels().get(latentId));
    }
    return new DecoderMap(map.positions(), labels, c.clusterCount(), map.seed(), map.method());
  }

  @Override
  public String toString() {
    return "ScratchpadAnalysis[visualscratchpad-analysis: ranking, heatmap, clustering (Smile), pictures]";
  }
}
