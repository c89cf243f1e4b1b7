package org.visualscratchpad.analysis.heatmap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.analysis.cluster.ColumnClusterer;
import org.visualscratchpad.analysis.cluster.ColumnClustering;
import org.visualscratchpad.analysis.ranking.PatchActivations;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The token-latent heatmap (paper Fig. 5, 7): per token the top-{@code k} latents by
 * attention-weighted score, their union as columns, noisy latents filtered, values normalised,
 * columns clustered and put in display order. Its clusters are the candidate sets for ablation.
 *
 * <pre>{@code
 * jshell> var h = TokenLatentHeatmap.build(patches, attn, tokens, new TokenSpan(47, 55), stats, HeatmapOptions.defaults());
 * jshell> h.clusters().get(0).latentIds()     // ablate these together
 * }</pre>
 *
 * @param tokens the rows' token strings
 * @param latentIds the columns in display order (the clustering's leaf order)
 * @param values {@code [tokens x latentIds]} normalised values in display order
 * @param scores {@code [tokens x latentIds]} raw attention-weighted scores in display order
 * @param columnLabels the cluster of each displayed column
 * @param clustering the clustering, over the columns of {@link #matrix()} (latent ids ascending)
 * @param clusters every cluster with its latents and strongest tokens
 * @param matrix the unnormalised, unclustered input
 * @param options the settings used
 */
public record TokenLatentHeatmap(List<String> tokens, List<Integer> latentIds, FloatMatrix values, FloatMatrix scores,
    List<Integer> columnLabels, ColumnClustering clustering, List<LatentCluster> clusters, HeatmapMatrix matrix,
    HeatmapOptions options) {
  public TokenLatentHeatmap {
    tokens = List.copyOf(tokens);
    latentIds = List.copyOf(latentIds);
    columnLabels = List.copyOf(columnLabels);
    clusters = List.copyOf(clusters);
    InvalidInputException.check(values.rows() == tokens.size() && values.cols() == latentIds.size()
            && scores.rows() == tokens.size() && scores.cols() == latentIds.size() && columnLabels.size() == latentIds.size(),
        "heatmap parts disagree: values [%s x %s], scores [%s x %s], %s tokens, %s latents, %s labels", values.rows(),
        values.cols(), scores.rows(), scores.cols(), tokens.size(), latentIds.size(), columnLabels.size());
  }

  /**
   * Builds the heatmap; the noisy-latent filter of {@code options} reads {@code stats}.
   *
   * @throws InvalidInputException for an empty or out-of-range span, statistics of another SAE, NaN
   *     attention, no active latent, or more clusters than columns (the message says how many columns there are)
   */
  public static TokenLatentHeatmap build(PatchActivations patches, FloatMatrix attention, List<String> tokens, TokenSpan span,
      LatentStatistics stats, HeatmapOptions options) {
    FilteredLatents filtered = options.filter().active() ? options.filter().apply(stats) : FilteredLatents.none(patches.dSae());
    return of(HeatmapMatrix.compute(patches, attention, tokens, span, filtered, options.topK(), options.weighting()), options);
  }

  /**
   * Builds the heatmap without statistics.
   *
   * @throws InvalidInputException if {@code options} asks for the noisy-latent filter (it needs
   *     statistics), and as {@link #build(PatchActivations, FloatMatrix, List, TokenSpan, LatentStatistics, HeatmapOptions)}
   */
  public static TokenLatentHeatmap build(PatchActivations patches, FloatMatrix attention, List<String> tokens, TokenSpan span,
      HeatmapOptions options) {
    InvalidInputException.check(!options.filter().active(),
        "the noisy-latent filter (%s) needs latent statistics; pass LatentStatistics or use options.withFilter(NoisyLatentFilter.off())",
        options.filter());
    return of(HeatmapMatrix.compute(patches, attention, tokens, span, FilteredLatents.none(patches.dSae()), options.topK(),
        options.weighting()), options);
  }

  /** Normalises and clusters an already computed matrix. */
  public static TokenLatentHeatmap of(HeatmapMatrix matrix, HeatmapOptions options) {
    FloatMatrix normalised = normalise(matrix.scores(), options.normalization());
    ColumnClustering clustering;
    try {
      clustering = ColumnClusterer.cluster(normalised, options.clustering());
    } catch (InvalidInputException e) {
      throw new InvalidInputException("heatmap of " + matrix.tokens().size() + " tokens x " + matrix.latentIds().size()
          + " latents cannot be clustered: " + e.getMessage(), e);
    }
    int rows = normalised.rows();
    int cols = normalised.cols();
    List<Integer> order = clustering.order();
    float[] values = new float[rows * cols];
    float[] raw = new float[rows * cols];
    List<Integer> ids = new ArrayList<>(cols);
    List<Integer> labels = new ArrayList<>(cols);
    for (int c = 0; c < cols; c++) {
      int src = order.get(c);
      ids.add(matrix.latentIds().get(src));
      labels.add(clustering.labels().get(src));
      for (int r = 0; r < rows; r++) {
        values[r * cols + c] = normalised.get(r, src);
        raw[r * cols + c] = matrix.scores().get(r, src);
      }
    }
    List<LatentCluster> clusters = new ArrayList<>();
    for (int label = 0; label < clustering.clusterCount(); label++) {
      List<Integer> members = clustering.members(label);
      List<Integer> latentIds = new ArrayList<>();
      double[] strength = new double[rows];
      for (int column : members) {
        latentIds.add(matrix.latentIds().get(column));
        for (int r = 0; r < rows; r++) {
          strength[r] += normalised.get(r, column) / members.size();
        }
      }
      Integer[] tokenOrder = new Integer[rows];
      for (int r = 0; r < rows; r++) {
        tokenOrder[r] = r;
      }
      Arrays.sort(tokenOrder, (a, b) -> Double.compare(strength[b], strength[a]));
      List<Integer> strongest = new ArrayList<>();
      List<Float> strengths = new ArrayList<>();
      List<String> strings = new ArrayList<>();
      for (int i = 0; i < Math.min(3, rows) && strength[tokenOrder[i]] > 0; i++) {
        strongest.add(tokenOrder[i]);
        strengths.add((float) strength[tokenOrder[i]]);
        strings.add(matrix.tokens().get(tokenOrder[i]));
      }
      clusters.add(new LatentCluster(label, latentIds, strongest, strengths, strings));
    }
    return new TokenLatentHeatmap(matrix.tokens(), ids, FloatMatrix.adopt(rows, cols, values),
        FloatMatrix.adopt(rows, cols, raw), labels, clustering, clusters, matrix, options);
  }

  /** Scales rows or columns by their largest absolute value; zero rows/columns stay zero. */
  public static FloatMatrix normalise(FloatMatrix m, Normalization normalization) {
    int rows = m.rows();
    int cols = m.cols();
    float[] d = m.toArray();
    if (normalization == Normalization.ROW) {
      for (int r = 0; r < rows; r++) {
        float max = 0;
        for (int c = 0; c < cols; c++) {
          max = Math.max(max, Math.abs(d[r * cols + c]));
        }
        for (int c = 0; c < cols && max > 0; c++) {
          d[r * cols + c] /= max;
        }
      }
    } else if (normalization == Normalization.COLUMN) {
      for (int c = 0; c < cols; c++) {
        float max = 0;
        for (int r = 0; r < rows; r++) {
          max = Math.max(max, Math.abs(d[r * cols + c]));
        }
        for (int r = 0; r < rows && max > 0; r++) {
          d[r * cols + c] /= max;
        }
      }
    }
    return FloatMatrix.adopt(rows, cols, d);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "TokenLatentHeatmap[%d tokens x %d latents, k %d, %s, %s, %s; clusters:", tokens.size(), latentIds.size(),
        options.topK(), options.normalization(), matrix.filtered(), options.clustering()));
    for (int i = 0; i < Math.min(3, clusters.size()); i++) {
      sb.append(' ').append(clusters.get(i));
    }
    return sb.append(clusters.size() > 3 ? " ...]" : "]").toString();
  }
}
