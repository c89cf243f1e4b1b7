package org.visualscratchpad.analysis.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import smile.graph.Graph;
import smile.manifold.UMAP;
import smile.math.distance.EuclideanDistance;
import smile.neighbor.LinearSearch;
import smile.neighbor.Neighbor;

/** The blocked k-NN search finds what Smile's own exact search finds, and hands it to UMAP unchanged. */
class ExactNeighboursTest {

  static ExactNeighbours search(float[][] rows, int k) {
    int d = rows[0].length;
    float[] flat = new float[rows.length * d];
    for (int q = 0; q < rows.length; q++) {
      System.arraycopy(rows[q], 0, flat, q * d, d);
    }
    return ExactNeighbours.of(flat, rows.length, d, k);
  }

  static float[][] unitRows(int n, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] rows = new float[n][d];
    for (float[] row : rows) {
      double s = 0;
      for (int i = 0; i < d; i++) {
        row[i] = (float) r.nextDouble(-1, 1);
        s += row[i] * row[i];
      }
      for (int i = 0; i < d; i++) {
        row[i] /= (float) Math.sqrt(s);
      }
    }
    return rows;
  }

  @Test
  void neighbours_and_distances_match_smiles_linear_search_in_double_precision() {
    // 600 rows span three key tiles and a partial last query block; width 37 is no multiple of a vector
    float[][] rows = unitRows(600, 37, 3);
    double[][] asDouble = new double[rows.length][];
    for (int q = 0; q < rows.length; q++) {
      asDouble[q] = new double[rows[q].length];
      for (int i = 0; i < rows[q].length; i++) {
        asDouble[q][i] = rows[q][i];
      }
    }
    int k = 15;
    ExactNeighbours nn = search(rows, k);
    LinearSearch<double[], double[]> smile = LinearSearch.of(asDouble, new EuclideanDistance());
    for (int q = 0; q < rows.length; q++) {
      Neighbor<double[], double[]>[] expected = smile.search(asDouble[q], k);
      java.util.Arrays.sort(expected, (a, b) -> Double.compare(a.distance, b.distance));
      int[] ids = new int[k];
      double[] dist = new double[k];
      for (int t = 0; t < k; t++) {
        ids[t] = expected[t].index;
        dist[t] = expected[t].distance;
      }
      assertArrayEquals(ids, nn.neighbours(q), "neighbours of row " + q);
      assertArrayEquals(dist, nn.distances(q), 1e-5, "distances of row " + q);
      // the distance given to UMAP: the neighbours' true distances, every other row out of reach
      assertEquals(nn.distances(q)[0], nn.asDistance().d(ids[0], q), 0);
      assertEquals(Double.MAX_VALUE, nn.asDistance().d(q, q), 0);
    }
  }

  @Test
  void umap_builds_the_same_fuzzy_graph_from_them_as_from_its_own_search() {
    float[][] rows = unitRows(300, 24, 5);
    double[][] asDouble = new double[rows.length][];
    Integer[] ids = new Integer[rows.length];
    for (int q = 0; q < rows.length; q++) {
      ids[q] = q;
      asDouble[q] = new double[rows[q].length];
      for (int i = 0; i < rows[q].length; i++) {
        asDouble[q][i] = rows[q][i];
      }
    }
    UMAP own = UMAP.of(asDouble, 10, 2, 10, 1.0, 0.1, 1.0, 5, 1.0);
    UMAP ours = UMAP.of(ids, search(rows, 10).asDistance(), 10, 2, 10, 1.0, 0.1, 1.0, 5, 1.0);
    assertArrayEquals(own.index, ours.index, "the same largest component");
    assertEquals(own.graph.getEdges().size(), ours.graph.getEdges().size());
    for (Graph.Edge e : own.graph.getEdges()) {
      assertTrue(ours.graph.hasEdge(e.v1, e.v2), "edge " + e.v1 + "-" + e.v2);
      assertEquals(e.weight, ours.graph.getWeight(e.v1, e.v2), 1e-5, "weight of " + e.v1 + "-" + e.v2);
    }
  }

  @Test
  void ties_go_to_the_lower_index_and_k_is_checked() {
    float[][] rows = {{1, 0}, {0, 1}, {0, 1}, {0, 1}, {-1, 0}};
    ExactNeighbours nn = search(rows, 2);
    assertArrayEquals(new int[] {2, 3}, nn.neighbours(1));
    assertArrayEquals(new int[] {1, 2}, nn.neighbours(0), "three rows at the same distance: the lowest two");
    assertThrows(IllegalArgumentException.class, () -> search(rows, 5));
  }
}
