package org.visualscratchpad.analysis.heatmap;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.analysis.cluster.ClusteringMethod;
import org.visualscratchpad.analysis.ranking.AttentionWeighting;

/**
 * The settings of a token-latent heatmap (paper §2 and §A.2).
 *
 * <pre>{@code
 * jshell> var o = HeatmapOptions.defaults().withTopK(10).withClustering(ClusteringMethod.KMeans.of(4, ColumnDistance.EUCLIDEAN, 7L))
 * }</pre>
 *
 * @param topK latents kept per token before the union, {@code >= 1} (paper: 20)
 * @param filter the noisy-latent filter (needs statistics when active)
 * @param normalization how values are scaled
 * @param clustering how columns are clustered
 * @param weighting how attention weights the patches
 */
public record HeatmapOptions(int topK, NoisyLatentFilter filter, Normalization normalization, ClusteringMethod clustering,
    AttentionWeighting weighting) {
  public HeatmapOptions {
    InvalidInputException.check(topK >= 1, "topK (%s) must be >= 1", topK);
    InvalidInputException.check(filter != null && normalization != null && clustering != null && weighting != null,
        "filter, normalization, clustering and weighting must not be null");
  }

  /** k = 20, 2 % filter on both axes, column normalisation, average-linkage correlation clustering into 4, raw attention. */
  public static HeatmapOptions defaults() {
    return new HeatmapOptions(20, NoisyLatentFilter.defaults(), Normalization.COLUMN,
        ClusteringMethod.Hierarchical.correlation(4), AttentionWeighting.RAW);
  }

  public HeatmapOptions withTopK(int k) {
    return new HeatmapOptions(k, filter, normalization, clustering, weighting);
  }

  public HeatmapOptions withFilter(NoisyLatentFilter f) {
    return new HeatmapOptions(topK, f, normalization, clustering, weighting);
  }

  public HeatmapOptions withNormalization(Normalization n) {
    return new HeatmapOptions(topK, filter, n, clustering, weighting);
  }

  public HeatmapOptions withClustering(ClusteringMethod c) {
    return new HeatmapOptions(topK, filter, normalization, c, weighting);
  }

  public HeatmapOptions withWeighting(AttentionWeighting w) {
    return new HeatmapOptions(topK, filter, normalization, clustering, w);
  }
}
