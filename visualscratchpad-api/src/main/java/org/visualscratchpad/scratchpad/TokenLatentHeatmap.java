package org.visualscratchpad.scratchpad;

import java.util.List;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The token-latent heatmap: rows are generated tokens, columns the union of each token's top-k
 * latents after the noisy-latent filter.
 *
 * <pre>{@code
 * jshell> var hm = answer.heatmap(HeatmapOptions.defaults().withTopK(10))
 * hm ==> TokenLatentHeatmap[3 tokens x 24 latents, filtered 2 noisy; ...]
 * jshell> hm.cluster(ClusterOptions.defaults().withClusters(4))
 * jshell> Files.write(Path.of("heatmap.png"), hm.picture().png())
 * }</pre>
 *
 * @param answer the answer it was built from; null for a heatmap of stored activations (no answer to ablate on)
 * @param options how it was built
 * @param tokens row labels (token texts)
 * @param latentIds column labels
 * @param values {@code [tokens x latents]}
 * @param filteredOut latents that would have been columns but were flagged noisy
 * @param warnings what makes the heatmap or its clusters say little (e.g. fewer than 3 token rows, where
 *     every correlation between two latent columns is +1 or -1); empty when none
 */
public record TokenLatentHeatmap(Answer answer, HeatmapOptions options, List<String> tokens, List<Integer> latentIds,
    FloatMatrix values, List<Integer> filteredOut, List<String> warnings) {
  /** A heatmap without warnings. */
  public TokenLatentHeatmap(Answer answer, HeatmapOptions options, List<String> tokens, List<Integer> latentIds,
      FloatMatrix values, List<Integer> filteredOut) {
    this(answer, options, tokens, latentIds, values, filteredOut, List.of());
  }

  public TokenLatentHeatmap {
    tokens = List.copyOf(tokens);
    latentIds = List.copyOf(latentIds);
    filteredOut = List.copyOf(filteredOut);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
    InvalidInputException.check(values.rows() == tokens.size() && values.cols() == latentIds.size(),
        "heatmap values [%s x %s] must be [tokens %s x latents %s]", values.rows(), values.cols(), tokens.size(), latentIds.size());
  }

  /** Clusters the columns with the default options. */
  public LatentClusters cluster() {
    return cluster(ClusterOptions.defaults());
  }

  /** Clusters the columns (latents). */
  public LatentClusters cluster(ClusterOptions clusterOptions) {
    return AnalysisProvider.get().cluster(this, clusterOptions);
  }

  /** The heatmap as a picture (PNG and SVG). */
  public Picture picture() {
    return AnalysisProvider.get().picture(this, null);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "TokenLatentHeatmap[%d tokens x %d latents, filtered %d noisy; latents %s%s]%s",
        tokens.size(), latentIds.size(), filteredOut.size(), latentIds.subList(0, Math.min(10, latentIds.size())),
        latentIds.size() > 10 ? "..." : "", warnings.isEmpty() ? ""
            : System.lineSeparator() + "  warning: " + String.join(System.lineSeparator() + "  warning: ", warnings));
  }
}
