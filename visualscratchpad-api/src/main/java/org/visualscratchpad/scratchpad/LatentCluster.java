package org.visualscratchpad.scratchpad;

import java.util.List;

/**
 * One cluster of heatmap columns: latents that fire together across tokens, the unit of ablation.
 *
 * @param index its index in {@link LatentClusters#clusters()}
 * @param latentIds its latents
 * @param strongestTokens the tokens (texts) where its mean cell value is highest, strongest first
 */
public record LatentCluster(int index, List<Integer> latentIds, List<String> strongestTokens) {
  public LatentCluster {
    latentIds = List.copyOf(latentIds);
    strongestTokens = List.copyOf(strongestTokens);
  }

  @Override
  public String toString() {
    return "cluster " + index + " " + latentIds + " strongest on " + strongestTokens;
  }
}
