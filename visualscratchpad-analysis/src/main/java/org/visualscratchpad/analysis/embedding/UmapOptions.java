package org.visualscratchpad.analysis.embedding;

import org.visualscratchpad.InvalidInputException;

/**
 * Settings of the UMAP of decoder directions.
 *
 * <pre>{@code
 * jshell> UmapOptions.defaults().withSeed(7)
 * }</pre>
 *
 * @param neighbours k of the k-nearest-neighbour graph ({@code >= 2})
 * @param epochs optimisation epochs ({@code >= 10})
 * @param minDist UMAP's minimum distance in the embedding ({@code > 0})
 * @param seed the random seed (Smile's generator is seeded with it before every component)
 */
public record UmapOptions(int neighbours, int epochs, double minDist, long seed) {
  public UmapOptions {
    InvalidInputException.check(neighbours >= 2, "neighbours (%s) must be >= 2", neighbours);
    InvalidInputException.check(epochs >= 10, "epochs (%s) must be >= 10", epochs);
    InvalidInputException.check(minDist > 0 && Double.isFinite(minDist), "minDist (%s) must be > 0", minDist);
  }

  /** 15 neighbours, 200 epochs, min distance 0.1, seed 0. */
  public static UmapOptions defaults() {
    return new UmapOptions(15, 200, 0.1, 0L);
  }

  public UmapOptions withSeed(long s) {
    return new UmapOptions(neighbours, epochs, minDist, s);
  }

  public UmapOptions withEpochs(int e) {
    return new UmapOptions(neighbours, e, minDist, seed);
  }

  public UmapOptions withNeighbours(int k) {
    return new UmapOptions(k, epochs, minDist, seed);
  }
}
