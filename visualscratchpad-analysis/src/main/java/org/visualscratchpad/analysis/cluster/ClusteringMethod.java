package org.visualscratchpad.analysis.cluster;

import org.visualscratchpad.InvalidInputException;

/**
 * How the heatmap's columns are clustered: hierarchical (with a dendrogram and a cut) or k-means
 * (seeded, several restarts).
 *
 * <pre>{@code
 * jshell> var h = new ClusteringMethod.Hierarchical(Linkage.AVERAGE, ColumnDistance.CORRELATION, new Cut.IntoClusters(4));
 * jshell> var k = ClusteringMethod.KMeans.of(4, ColumnDistance.EUCLIDEAN, 42L);
 * }</pre>
 */
public sealed interface ClusteringMethod permits ClusteringMethod.Hierarchical, ClusteringMethod.KMeans {

  /** The distance between columns. */
  ColumnDistance distance();

  /**
   * Agglomerative clustering (Smile) cut into flat clusters.
   *
   * @param linkage cluster-to-cluster distance
   * @param distance column-to-column distance
   * @param cut where to cut the dendrogram
   */
  record Hierarchical(Linkage linkage, ColumnDistance distance, Cut cut) implements ClusteringMethod {
    public Hierarchical {
      InvalidInputException.check(linkage != null && distance != null && cut != null,
          "linkage, distance and cut must not be null");
    }

    /** The paper's default: average linkage on correlation distance. */
    public static Hierarchical correlation(int clusters) {
      return new Hierarchical(Linkage.AVERAGE, ColumnDistance.CORRELATION, new Cut.IntoClusters(clusters));
    }

    @Override
    public String toString() {
      return "hierarchical " + linkage.name().toLowerCase(java.util.Locale.ROOT) + " on "
          + distance.name().toLowerCase(java.util.Locale.ROOT) + " distance, cut " + cut;
    }
  }

  /**
   * Lloyd's k-means with k-means++ seeding, the best of {@code restarts} runs by within-cluster sum
   * of squares. Deterministic for a given seed. When the columns hold fewer than {@code clusters}
   * distinct points, fewer (non-empty) clusters come back.
   *
   * @param clusters {@code >= 1}; must not exceed the number of columns
   * @param distance {@link ColumnDistance#CORRELATION} clusters standardised columns
   * @param restarts {@code >= 1}
   * @param maxIterations {@code >= 1} per restart
   * @param seed the random seed, recorded in the result
   */
  record KMeans(int clusters, ColumnDistance distance, int restarts, int maxIterations, long seed)
      implements ClusteringMethod {
    public KMeans {
      InvalidInputException.check(clusters >= 1, "clusters (%s) must be >= 1", clusters);
      InvalidInputException.check(distance != null, "distance must not be null");
      InvalidInputException.check(restarts >= 1, "restarts (%s) must be >= 1", restarts);
      InvalidInputException.check(maxIterations >= 1, "maxIterations (%s) must be >= 1", maxIterations);
    }

    /** 10 restarts of at most 100 iterations. */
    public static KMeans of(int clusters, ColumnDistance distance, long seed) {
      return new KMeans(clusters, distance, 10, 100, seed);
    }

    @Override
    public String toString() {
      return "k-means k=" + clusters + " on " + distance.name().toLowerCase(java.util.Locale.ROOT)
          + " distance, " + restarts + " restarts, seed " + seed;
    }
  }
}
