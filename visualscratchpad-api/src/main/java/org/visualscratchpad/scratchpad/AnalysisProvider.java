package org.visualscratchpad.scratchpad;

import java.util.Iterator;
import java.util.ServiceLoader;
import org.visualscratchpad.ScratchpadException;

/**
 * The service-provider interface of the analyses behind {@link Answer#rankLatents()}, {@link
 * Answer#heatmap()} and clustering; {@code visualscratchpad-analysis} implements it (registered in
 * {@code META-INF/services/org.visualscratchpad.scratchpad.AnalysisProvider}). Kept apart from the
 * model backend so that the analyses' licence (Smile, GPL-3.0) binds only programs that ship them.
 */
public interface AnalysisProvider {

  /** Ranks an answer's latents. */
  LatentRanking rank(Answer answer, RankOptions options);

  /** Builds the token-latent heatmap (using the answer's scratchpad's statistics for the noisy filter, if loaded). */
  TokenLatentHeatmap heatmap(Answer answer, HeatmapOptions options);

  /** Clusters a heatmap's columns. */
  LatentClusters cluster(TokenLatentHeatmap heatmap, ClusterOptions options);

  /** Draws a heatmap, in cluster leaf order with bands when {@code clusters} is not null. */
  Picture picture(TokenLatentHeatmap heatmap, LatentClusters clusters);

  /**
   * A 2-D map of every latent's decoder direction, unclustered. Slow for large SAEs ({@code
   * visualscratchpad-analysis}: seconds for a few thousand latents, tens of minutes for 32,768 on 2
   * cores): callers that serve requests should compute it once, off the request thread.
   *
   * @throws ScratchpadException if this provider cannot map decoder directions
   */
  default DecoderMap mapDecoder(org.visualscratchpad.sae.SparseAutoencoder sae, long seed) {
    throw new ScratchpadException("the analysis provider " + getClass().getName() + " cannot map decoder directions. "
        + "Put org.visualscratchpad:visualscratchpad-analysis on the class path.");
  }

  /**
   * The same map with {@code clusters} clusters of its 2-D positions (seeded by the map's seed).
   *
   * @throws ScratchpadException if this provider cannot cluster maps
   * @throws InvalidInputException if {@code clusters} is not in {@code [1, dSae]}
   */
  default DecoderMap clusterMap(DecoderMap map, int clusters) {
    throw new ScratchpadException("the analysis provider " + getClass().getName() + " cannot cluster decoder maps. "
        + "Put org.visualscratchpad:visualscratchpad-analysis on the class path.");
  }

  /**
   * The first provider on the class path (looked up once).
   *
   * @throws ScratchpadException if none is there; a later call looks again
   */
  static AnalysisProvider get() {
    AnalysisProvider p = Lookup.cached;
    if (p == null) {
      Iterator<AnalysisProvider> it = ServiceLoader.load(AnalysisProvider.class).iterator();
      if (!it.hasNext()) {
        throw new ScratchpadException("no analysis provider is on the class path. Add the dependency "
            + "org.visualscratchpad:visualscratchpad-analysis (GPL-3.0 through Smile) to rank, map and cluster latents.");
      }
      p = it.next();
      Lookup.cached = p;
    }
    return p;
  }

  /** The cached provider. */
  final class Lookup {
    private static volatile AnalysisProvider cached;

    private Lookup() {}
  }
}
