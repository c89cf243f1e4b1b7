package org.visualscratchpad.analysis.heatmap;

import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * One cluster of a heatmap: its latents (a candidate set to ablate together) and the tokens it is
 * strongest on (by the mean normalised value over its latents).
 *
 * <pre>{@code
 * jshell> heatmap.clusters().get(0)
 * $1 ==> LatentCluster[#0: 12 latents [196, 96, 173, ...], strongest on 'cat'(0.91), 'sitting'(0.40)]
 * }</pre>
 *
 * @param label cluster number, as in {@code TokenLatentHeatmap.columnLabels()}
 * @param latentIds the latents, in display order
 * @param strongestTokens indices (into the heatmap's rows) of up to 3 tokens, strongest first
 * @param strongestTokenStrengths the mean normalised value on each of those tokens
 * @param tokens the strings of {@code strongestTokens}
 */
public record LatentCluster(int label, List<Integer> latentIds, List<Integer> strongestTokens,
    List<Float> strongestTokenStrengths, List<String> tokens) {
  public LatentCluster {
    latentIds = List.copyOf(latentIds);
    strongestTokens = List.copyOf(strongestTokens);
    strongestTokenStrengths = List.copyOf(strongestTokenStrengths);
    tokens = List.copyOf(tokens);
    InvalidInputException.check(!latentIds.isEmpty(), "cluster %s must hold at least one latent", label);
    InvalidInputException.check(strongestTokens.size() == tokens.size() && tokens.size() == strongestTokenStrengths.size(),
        "strongest tokens, strengths and strings must have the same length");
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("LatentCluster[#").append(label).append(": ").append(latentIds.size())
        .append(" latents ").append(latentIds.subList(0, Math.min(5, latentIds.size())));
    if (latentIds.size() > 5) {
      sb.setLength(sb.length() - 1);
      sb.append(", ...]");
    }
    sb.append(", strongest on ");
    for (int i = 0; i < tokens.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append('\'').append(tokens.get(i)).append('\'')
          .append(String.format(java.util.Locale.ROOT, "(%.2f)", strongestTokenStrengths.get(i)));
    }
    return sb.append(tokens.isEmpty() ? "no token]" : "]").toString();
  }
}
