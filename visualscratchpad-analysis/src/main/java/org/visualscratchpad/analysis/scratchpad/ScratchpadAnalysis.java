package org.visualscratchpad.analysis.scratchpad;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.visualscratchpad.analysis.cluster.ClusteringMethod;
import org.visualscratchpad.analysis.cluster.ColumnClusterer;
import org.visualscratchpad.analysis.cluster.ColumnClustering;
import org.visualscratchpad.analysis.cluster.ColumnDistance;
import org.visualscratchpad.analysis.cluster.Cut;
import org.visualscratchpad.analysis.cluster.Linkage;
import org.visualscratchpad.analysis.heatmap.FilteredLatents;
import org.visualscratchpad.analysis.heatmap.HeatmapMatrix;
import org.visualscratchpad.analysis.heatmap.LatentStatistics;
import org.visualscratchpad.analysis.heatmap.NoisyLatentFilter;
import org.visualscratchpad.analysis.heatmap.Normalization;
import org.visualscratchpad.analysis.heatmap.TokenLatentHeatmap;
import org.visualscratchpad.analysis.heatmap.TokenSpan;
import org.visualscratchpad.analysis.ranking.AttentionWeighting;
import org.visualscratchpad.analysis.ranking.ImageTokenRows;
import org.visualscratchpad.analysis.ranking.LatentRanking;
import org.visualscratchpad.analysis.ranking.LatentScoreVector;
import org.visualscratchpad.analysis.ranking.PatchActivations;
import org.visualscratchpad.analysis.ranking.TokenLatentScores;
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
    FloatMatrix attn = answer.attention().weights();
    int tokens = attn.rows();
    int end = options.spanEnd() == -1 ? tokens : options.spanEnd();
    List<List<RankedLatent>> perToken = new ArrayList<>();
    List<RankedLatent> overall;
    if (options.attentionWeighted()) {
      TokenLatentScores scores = LatentRanking.scores(patches, attn, answer.attention().tokens(),
          options.divideByImageMass() ? AttentionWeighting.PER_IMAGE_MASS : AttentionWeighting.RAW);
      for (int t = 0; t < tokens; t++) {
        perToken.add(convert(scores.row(t).topK(options.topK())));
      }
      overall = convert(scores.span(options.spanStart(), end,
          org.visualscratchpad.analysis.ranking.SpanAggregation.MEAN).topK(options.topK()));
    } else {
      LatentScoreVector mean = LatentRanking.meanOverPatches(patches);
      List<RankedLatent> top = convert(mean.topK(options.topK()));
      for (int t = 0; t < tokens; t++) {
        perToken.add(top);
      }
      overall = top;
    }
    return new org.visualscratchpad.scratchpad.LatentRanking(answer, options, perToken, overall);
  }

  private static List<RankedLatent> convert(List<org.visualscratchpad.analysis.ranking.RankedLatent> list) {
    List<RankedLatent> out = new ArrayList<>(list.size());
    for (var r : list) {
      out.add(new RankedLatent(r.latentId(), r.score()));
    }
    return out;
  }

  @Override
  public org.visualscratchpad.scratchpad.TokenLatentHeatmap heatmap(Answer answer, HeatmapOptions options) {
    PatchActivations patches = patches(answer);
    FloatMatrix attn = answer.attention().weights();
    if (!options.attentionWeighted()) {
      float[] uniform = new float[attn.rows() * attn.cols()];
      Arrays.fill(uniform, 1f / attn.cols());
      attn = FloatMatrix.adopt(attn.rows(), attn.cols(), uniform);
    }
    List<String> tokens = answer.attention().tokens();
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
    NoisyLatentFilter filter = filter(options);
    Optional<LatentStatistics> stats = answer.source().flatMap(Scratchpad::statistics).map(ScratchpadAnalysis::statistics);
    FilteredLatents filtered = filter.active() && stats.isPresent()
        ? filter.apply(stats.get()) : FilteredLatents.none(patches.dSae());
    HeatmapMatrix matrix = HeatmapMatrix.compute(patches, attn, tokens, span, filtered, options.topK(), AttentionWeighting.RAW);
    List<Integer> filteredOut = new ArrayList<>();
    if (filtered.excludedCount() > 0) {
      HeatmapMatrix unfiltered = HeatmapMatrix.compute(patches, attn, tokens, span, FilteredLatents.none(patches.dSae()),
          options.topK(), AttentionWeighting.RAW);
      for (int id : unfiltered.latentIds()) {
        if (filtered.isExcluded(id)) {
          filteredOut.add(id);
        }
      }
    }
    FloatMatrix values = TokenLatentHeatmap.normalise(matrix.scores(), Normalization.valueOf(options.normalization().name()));
    return new org.visualscratchpad.scratchpad.TokenLatentHeatmap(answer, options, matrix.tokens(), matrix.latentIds(), values,
        filteredOut, warnings);
  }

  /** The analysis module's filter for the API's noisy-filter choice (package-private for tests). */
  static NoisyLatentFilter filter(HeatmapOptions options) {
    switch (options.noisyFilter()) {
      case MEAN_ACTIVATION:
        return new NoisyLatentFilter(options.noisyPercent(), true, false);
      case FREQUENCY:
        return new NoisyLatentFilter(options.noisyPercent(), false, true);
      case BOTH:
        return new NoisyLatentFilter(options.noisyPercent(), true, true);
      default:
        return NoisyLatentFilter.off();
    }
  }

  /** Plain-array statistics from the SAE module's statistics. */
  public static LatentStatistics statistics(DatasetStatistics stats) {
    float[] mean = new float[stats.dSae()];
    float[] freq = new float[stats.dSae()];
    for (int j = 0; j < mean.length; j++) {
      mean[j] = stats.meanActivation(j);
      freq[j] = stats.frequency(j);
    }
    return LatentStatistics.of(mean, freq);
  }

  /** The clustering method of the API's options. */
  public static ClusteringMethod method(ClusterOptions options) {
    ColumnDistance distance = ColumnDistance.valueOf(options.distance().name());
    if (options.method() == ClusterOptions.Method.KMEANS) {
      return new ClusteringMethod.KMeans(options.clusters(), distance, options.restarts(), 100, options.seed());
    }
    Cut cut = options.clusters() > 0 ? new Cut.IntoClusters(options.clusters()) : new Cut.AtHeight(options.cutHeight());
    return new ClusteringMethod.Hierarchical(Linkage.valueOf(options.method().name()), distance, cut);
  }

  @Override
  public LatentClusters cluster(org.visualscratchpad.scratchpad.TokenLatentHeatmap heatmap, ClusterOptions options) {
    ColumnClustering c = ColumnClusterer.cluster(heatmap.values(), method(options));
    FloatMatrix strength = TokenLatentHeatmap.normalise(heatmap.values(), Normalization.COLUMN);
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
    return new LatentClusters(heatmap, options, clusters, c.order());
  }

  @Override
  public Picture picture(org.visualscratchpad.scratchpad.TokenLatentHeatmap heatmap, LatentClusters clusters) {
    String title = "Token-latent heatmap (" + heatmap.options().normalization().name().toLowerCase(java.util.Locale.ROOT)
        + " normalisation, top " + heatmap.options().topK() + " per token)";
    if (clusters == null) {
      return HeatmapPicture.render(title, heatmap.tokens(), heatmap.latentIds(), heatmap.values(), List.of(), Optional.empty(),
          new int[0]);
    }
    ColumnClustering c = ColumnClusterer.cluster(heatmap.values(), method(clusters.options()));
    List<Integer> order = clusters.leafOrder();
    int rows = heatmap.values().rows();
    int cols = order.size();
    float[] values = new float[rows * cols];
    List<Integer> ids = new ArrayList<>();
    List<Integer> bands = new ArrayList<>();
    for (int i = 0; i < cols; i++) {
      int column = order.get(i);
      ids.add(heatmap.latentIds().get(column));
      bands.add(c.labels().get(column));
      for (int r = 0; r < rows; r++) {
        values[r * cols + i] = heatmap.values().get(r, column);
      }
    }
    int[] position = new int[cols];
    for (int i = 0; i < cols; i++) {
      position[order.get(i)] = i;
    }
    return HeatmapPicture.render(title, heatmap.tokens(), ids, FloatMatrix.adopt(rows, cols, values), bands, c.dendrogram(),
        position);
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
    ColumnClustering c = ColumnClusterer.cluster(FloatMatrix.of(2, n, d),
        ClusteringMethod.KMeans.of(clusters, ColumnDistance.EUCLIDEAN, map.seed()));
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
