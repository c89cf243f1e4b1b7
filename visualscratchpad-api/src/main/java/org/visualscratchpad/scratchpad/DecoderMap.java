package org.visualscratchpad.scratchpad;

import java.util.List;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * A 2-D map of an SAE's decoder directions (one point per latent, nearby points have similar
 * directions), with a cluster label per latent; made by {@link AnalysisProvider#mapDecoder} (UMAP in
 * {@code visualscratchpad-analysis}) and {@link AnalysisProvider#clusterMap}.
 *
 * <pre>{@code
 * jshell> var map = AnalysisProvider.get().mapDecoder(pad.sae(), 0L)
 * map ==> DecoderMap[512 latents, UMAP of unit decoder directions, seed 0, unclustered]
 * jshell> AnalysisProvider.get().clusterMap(map, 8).clusters().get(412)
 * }</pre>
 *
 * @param positions {@code [dSae x 2]}: row {@code latentId} is its (x, y)
 * @param clusters per latent its cluster in {@code [0, clusterCount)}, or -1 when unclustered; length {@code dSae}
 * @param clusterCount number of clusters (0 when unclustered)
 * @param seed the seed of the layout (and of the clustering)
 * @param method how the positions were made, in words
 */
public record DecoderMap(FloatMatrix positions, List<Integer> clusters, int clusterCount, long seed, String method) {
  public DecoderMap {
    InvalidInputException.check(positions != null && positions.cols() == 2, "decoder map positions must be [dSae x 2]");
    InvalidInputException.check(clusters != null && clusters.size() == positions.rows(),
        "decoder map clusters (%s) must have one entry per latent (%s)", clusters == null ? 0 : clusters.size(), positions.rows());
    clusters = List.copyOf(clusters);
    for (int c : clusters) {
      InvalidInputException.check(c >= -1 && c < clusterCount, "cluster label (%s) must lie in [-1, %s)", c, clusterCount);
    }
    method = method == null ? "" : method;
  }

  /** Number of latents. */
  public int dSae() {
    return positions.rows();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "DecoderMap[%d latents, %s, seed %d, %s]", dSae(), method, seed,
        clusterCount == 0 ? "unclustered" : clusterCount + " clusters");
  }
}
