package org.visualscratchpad.analysis.cluster;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.ClusterOptions.Distance;
import org.visualscratchpad.scratchpad.ClusterOptions.Method;
import org.visualscratchpad.scratchpad.Dendrogram;
import org.visualscratchpad.tensor.FloatMatrix;

class ColumnClustererTest {
  static final List<Method> LINKAGES = List.of(Method.SINGLE, Method.COMPLETE, Method.AVERAGE, Method.WARD);

  static ClusterOptions kMeans(int clusters, Distance distance, long seed) {
    return ClusterOptions.defaults().withMethod(Method.KMEANS).withDistance(distance).withClusters(clusters).withSeed(seed);
  }

  static ClusterOptions averageCorrelation(int clusters) {
    return ClusterOptions.defaults().withClusters(clusters);
  }

  static ClusterOptions averageCorrelationCutAt(double height) {
    return new ClusterOptions(Method.AVERAGE, Distance.CORRELATION, 0, height, 0, 10);
  }

  /** A [rows x cols] heatmap whose columns come from `groups` prototypes, shuffled; truth[c] = group. */
  record Planted(FloatMatrix values, int[] truth) {}

  static Planted planted(long seed, int rows, int groups, int perGroup, float noise) {
    Random rnd = new Random(seed);
    float[][] proto = new float[groups][rows];
    for (int g = 0; g < groups; g++) {
      for (int r = 0; r < rows; r++) {
        // each group is strong on its own band of tokens
        proto[g][r] = (r % groups == g ? 1f : 0.05f) * (0.5f + rnd.nextFloat());
      }
    }
    int cols = groups * perGroup;
    List<Integer> perm = new ArrayList<>();
    for (int c = 0; c < cols; c++) {
      perm.add(c);
    }
    java.util.Collections.shuffle(perm, rnd);
    float[] d = new float[rows * cols];
    int[] truth = new int[cols];
    for (int c = 0; c < cols; c++) {
      int g = perm.get(c) / perGroup;
      truth[c] = g;
      float scale = 0.2f + 3f * rnd.nextFloat();
      for (int r = 0; r < rows; r++) {
        d[r * cols + c] = Math.max(0, scale * (proto[g][r] + noise * (float) rnd.nextGaussian()));
      }
    }
    return new Planted(FloatMatrix.of(rows, cols, d), truth);
  }

  static void assertRecovers(int[] truth, List<Integer> labels, String what) {
    // same partition up to renumbering: a bijection between truth groups and labels
    java.util.Map<Integer, Integer> forward = new java.util.HashMap<>();
    java.util.Map<Integer, Integer> backward = new java.util.HashMap<>();
    for (int c = 0; c < truth.length; c++) {
      Integer f = forward.putIfAbsent(truth[c], labels.get(c));
      Integer b = backward.putIfAbsent(labels.get(c), truth[c]);
      assertTrue((f == null || f.equals(labels.get(c))) && (b == null || b.equals(truth[c])),
          what + ": column " + c + " (group " + truth[c] + ") got cluster " + labels.get(c) + "; labels " + labels);
    }
  }

  static Stream<Arguments> methods() {
    List<Arguments> out = new ArrayList<>();
    for (long seed : new long[] {11, 12, 13}) {
      for (Method l : LINKAGES) {
        for (Distance d : Distance.values()) {
          if (l == Method.SINGLE && d == Distance.EUCLIDEAN) {
            continue; // single linkage chains across scale differences under raw euclidean; covered with COLUMN-normalised input below
          }
          out.add(Arguments.of(seed, ClusterOptions.defaults().withMethod(l).withDistance(d).withClusters(4)));
        }
      }
      for (Distance d : Distance.values()) {
        out.add(Arguments.of(seed, kMeans(4, d, seed)));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "seed {0}: {1}")
  @MethodSource("methods")
  void recovers_planted_clusters(long seed, ClusterOptions method) {
    Planted p = planted(seed, 24, 4, 12, 0.05f);
    FloatMatrix values = method.distance() == Distance.EUCLIDEAN ? columnNormalised(p.values()) : p.values();
    ColumnClustering c = ColumnClusterer.cluster(values, method);
    assertEquals(4, c.clusterCount(), "seed " + seed);
    assertRecovers(p.truth(), c.labels(), "seed " + seed + " " + method);
    // display order keeps every cluster contiguous
    List<Integer> seen = new ArrayList<>();
    for (int column : c.order()) {
      int label = c.labels().get(column);
      if (seen.isEmpty() || seen.get(seen.size() - 1) != label) {
        assertFalse(seen.contains(label), "cluster " + label + " split in the display order, seed " + seed);
        seen.add(label);
      }
    }
    assertEquals(List.of(0, 1, 2, 3), seen, "labels are numbered along the display order");
    Set<Integer> all = new HashSet<>(c.order());
    assertEquals(48, all.size());
  }

  @Test
  void single_linkage_euclidean_recovers_on_normalised_columns() {
    Planted p = planted(5, 24, 4, 12, 0.02f);
    ColumnClustering c = ColumnClusterer.cluster(columnNormalised(p.values()),
        ClusterOptions.defaults().withMethod(Method.SINGLE).withDistance(Distance.EUCLIDEAN).withClusters(4));
    assertRecovers(p.truth(), c.labels(), "single euclidean");
  }

  @Test
  void cut_at_height_matches_the_dendrogram() {
    Planted p = planted(21, 24, 3, 10, 0.05f);
    ColumnClustering byCount = ColumnClusterer.cluster(p.values(), averageCorrelation(3));
    Dendrogram d = byCount.dendrogram().orElseThrow();
    double[] h = new double[d.merges()];
    for (int m = 0; m < h.length; m++) {
      h[m] = d.height(m);
    }
    java.util.Arrays.sort(h);
    // cutting between the 3rd-largest and 2nd-largest merge heights gives 3 clusters
    double cut = (h[h.length - 3] + h[h.length - 2]) / 2;
    ColumnClustering byHeight = ColumnClusterer.cluster(p.values(),
        averageCorrelationCutAt(cut));
    assertEquals(byCount.labels(), byHeight.labels());
    assertEquals(1, ColumnClusterer.cluster(p.values(), averageCorrelationCutAt(1e9)).clusterCount());
    assertEquals(30, ColumnClusterer.cluster(p.values(), averageCorrelationCutAt(0)).clusterCount());
    assertEquals(30, d.leafOrder().length);
    assertTrue(byCount.toString().contains("30 columns into 3 clusters"), byCount.toString());
  }

  @Test
  void k_means_is_deterministic_for_a_seed() {
    Planted p = planted(3, 20, 5, 8, 0.3f);
    ClusterOptions m = new ClusterOptions(Method.KMEANS, Distance.EUCLIDEAN, 5, 0, 99, 3);
    assertEquals(ColumnClusterer.cluster(p.values(), m), ColumnClusterer.cluster(p.values(), m));
    assertTrue(ColumnClusterer.cluster(p.values(), m).toString().contains("seed 99"));
  }

  @Test
  void more_clusters_than_columns_is_a_clear_error() {
    FloatMatrix v = FloatMatrix.of(2, 3, new float[] {1, 2, 3, 4, 5, 6});
    var e = assertThrows(InvalidInputException.class,
        () -> ColumnClusterer.cluster(v, averageCorrelation(4)));
    assertTrue(e.getMessage().contains("clusters (4) must not exceed the number of columns (3)"), e.getMessage());
    assertThrows(InvalidInputException.class,
        () -> ColumnClusterer.cluster(v, kMeans(4, Distance.EUCLIDEAN, 1)));
    // exactly as many clusters as columns: every column alone
    assertEquals(3, ColumnClusterer.cluster(v, averageCorrelation(3)).clusterCount());
  }

  @Test
  void nan_is_a_clear_error() {
    FloatMatrix v = FloatMatrix.of(2, 2, new float[] {1, Float.NaN, 3, 4});
    var e = assertThrows(InvalidInputException.class,
        () -> ColumnClusterer.cluster(v, averageCorrelation(1)));
    assertTrue(e.getMessage().contains("value [0, 1] (NaN) must be finite"), e.getMessage());
  }

  @Test
  void constant_columns_are_uncorrelated_with_everything_under_correlation_distance() {
    // columns 0,1 correlated; 2,3 correlated; 4 constant non-zero; 5 all zero
    FloatMatrix v = FloatMatrix.of(4, 6, new float[] {
        1, 2, 0, 0, 3, 0,
        2, 4, 0, 0, 3, 0,
        0, 0, 1, 3, 3, 0,
        0, 0, 2, 6, 3, 0});
    float[] prox = ColumnClusterer.proximity(columnMajor(v), 4, 6, Distance.CORRELATION, false);
    assertEquals(1.0f, entry(prox, 6, 4, 0), 1e-6f);
    assertEquals(1.0f, entry(prox, 6, 5, 4), 1e-6f);
    assertEquals(0.0f, entry(prox, 6, 1, 0), 1e-6f);
    ColumnClustering c = ColumnClusterer.cluster(v, averageCorrelation(4));
    assertEquals(c.labels().get(0), c.labels().get(1));
    assertEquals(c.labels().get(2), c.labels().get(3));
    assertNotEquals(c.labels().get(4), c.labels().get(5));
    for (Method l : LINKAGES) {
      ColumnClustering all = ColumnClusterer.cluster(v, ClusterOptions.defaults().withMethod(l).withClusters(2));
      assertEquals(2, all.clusterCount(), l.toString());
    }
    // k-means standardises both constant columns to the zero vector: 3 distinct points, so 3 non-empty clusters
    ColumnClustering k = ColumnClusterer.cluster(v, kMeans(4, Distance.CORRELATION, 5));
    assertEquals(3, k.clusterCount());
    assertEquals(k.labels().get(4), k.labels().get(5));
  }

  @Test
  void one_column_is_one_cluster_and_identical_columns_do_not_break_k_means() {
    FloatMatrix one = FloatMatrix.of(3, 1, new float[] {1, 2, 3});
    assertEquals(List.of(0), ColumnClusterer.cluster(one, averageCorrelation(1)).labels());
    FloatMatrix same = FloatMatrix.of(2, 3, new float[] {1, 1, 1, 2, 2, 2});
    ColumnClustering c = ColumnClusterer.cluster(same, kMeans(3, Distance.EUCLIDEAN, 1));
    assertEquals(3, c.columns());
    assertTrue(c.clusterCount() >= 1 && c.clusterCount() <= 3);
    assertThrows(InvalidInputException.class, () -> ColumnClusterer.cluster(FloatMatrix.zeros(3, 0),
        averageCorrelation(1)));
  }

  private static float entry(float[] prox, int n, int i, int j) {
    return prox[prox.length - (n - j) * (n - j + 1) / 2 + i - j];
  }

  private static float[] columnMajor(FloatMatrix v) {
    float[] out = new float[v.rows() * v.cols()];
    for (int r = 0; r < v.rows(); r++) {
      for (int c = 0; c < v.cols(); c++) {
        out[c * v.rows() + r] = v.get(r, c);
      }
    }
    return out;
  }

  static FloatMatrix columnNormalised(FloatMatrix m) {
    return org.visualscratchpad.analysis.heatmap.HeatmapMatrix.normalise(m,
        org.visualscratchpad.scratchpad.HeatmapOptions.Normalization.COLUMN);
  }
}
