package org.visualscratchpad.scratchpad;

import java.util.Collection;
import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * Latents ranked for each generated token and over a span of them.
 *
 * <pre>{@code
 * jshell> var ranking = answer.rankLatents()
 * ranking ==> LatentRanking[attention-weighted, 3 tokens; overall top: 412=0.8, 97=0.31, ...]
 * jshell> ranking.top(3)
 * jshell> ranking.cluster().ablate(0).regenerate()
 * }</pre>
 *
 * @param answer the ranked answer
 * @param options how it was ranked
 * @param perToken for each generated token, its top latents, best first
 * @param overall the top latents of the span (mean score over its tokens), best first
 */
public record LatentRanking(Answer answer, RankOptions options, List<List<RankedLatent>> perToken,
    List<RankedLatent> overall) {
  public LatentRanking {
    perToken = perToken.stream().map(List::copyOf).toList();
    overall = List.copyOf(overall);
  }

  /** The ids of the {@code n} best latents overall. */
  public List<Integer> top(int n) {
    InvalidInputException.check(n >= 0, "n (%s) must be >= 0", n);
    return overall.stream().limit(n).map(RankedLatent::latentId).toList();
  }

  /** The top latents of generated token {@code tokenIndex}. */
  public List<RankedLatent> forToken(int tokenIndex) {
    return perToken.get(tokenIndex);
  }

  /** The answer's default heatmap, clustered. */
  public LatentClusters cluster() {
    return answer.cluster();
  }

  /** The answer's heatmap with {@code heatmapOptions}, clustered with {@code clusterOptions}. */
  public LatentClusters cluster(HeatmapOptions heatmapOptions, ClusterOptions clusterOptions) {
    return answer.heatmap(heatmapOptions).cluster(clusterOptions);
  }

  /** Plans ablating {@code latentIds} on the ranked answer. */
  public Experiment ablate(int... latentIds) {
    return answer.ablate(latentIds);
  }

  public Experiment ablate(Collection<Integer> latentIds) {
    return answer.ablate(latentIds);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("LatentRanking[")
        .append(options.attentionWeighted() ? "attention-weighted" : "plain mean").append(", ")
        .append(perToken.size()).append(" tokens; overall top: ");
    sb.append(overall.stream().limit(8).map(RankedLatent::toString).reduce((a, b) -> a + ", " + b).orElse("none"));
    for (int t = 0; t < Math.min(perToken.size(), 6); t++) {
      sb.append(String.format("%n  %-12s %s", '"' + answer.generated().get(t).text() + '"',
          perToken.get(t).stream().limit(5).map(RankedLatent::toString).toList()));
    }
    return sb.append(perToken.size() > 6 ? String.format("%n  ...]") : "]").toString();
  }
}
