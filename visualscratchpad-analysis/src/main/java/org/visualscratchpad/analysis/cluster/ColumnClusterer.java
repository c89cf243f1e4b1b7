package org.visualscratchpad.analysis.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.Dendrogram;
import org.visualscratchpad.tensor.FloatMatrix;
import smile.clustering.HierarchicalClustering;
import smile.clustering.linkage.CompleteLinkage;
import smile.clustering.linkage.SingleLinkage;
import smile.clustering.linkage.UPGMALinkage;
import smile.clustering.linkage.WardLinkage;

/**
 * Clusters the columns of a {@code [rows x cols]} matrix (the heatmap's latents over its tokens) as
 * the API's {@link ClusterOptions} say. Hierarchical clustering ({@code SINGLE}, {@code COMPLETE},
 * {@code AVERAGE} (UPGMA), {@code WARD}) runs Smile's linkages on a proximity matrix computed here
 * from standardised columns and dot products (Smile's own {@code CorrelationDistance} is about 5x
 * slower), cut into {@code clusters} clusters or, with {@code clusters == 0}, at {@code cutHeight}
 * (merges at or below it are kept). {@code KMEANS} is Lloyd's algorithm with k-means++ seeding,
 * implemented here: the best of {@code restarts} runs of at most {@value #KMEANS_MAX_ITERATIONS}
 * iterations by within-cluster sum of squares, deterministic for a given seed; when the columns
 * hold fewer than {@code clusters} distinct points, fewer (non-empty) clusters come back.
 *
 * <p>Distances: {@code CORRELATION} is {@code 1 - r}, with {@code r} the Pearson correlation of the
 * two columns (range [0, 2]); a constant column has no defined correlation and is treated as
 * uncorrelated ({@code r = 0}, distance 1) with every other column. Under Ward linkage and k-means
 * the Euclidean distance between standardised columns, {@code sqrt(2 (1 - r))}, is used instead,
 * which orders pairs identically and is the geometry those methods assume (k-means standardises a
 * constant column to the zero vector, so constant columns fall into one cluster there). {@code
 * EUCLIDEAN} is the distance between the raw (normalised) columns.
 *
 * <pre>{@code
 * jshell> var values = FloatMatrix.of(3, 4, new float[] {1, 2, 0, 0,  2, 4, 0, 0,  0, 0, 5, 6});
 * jshell> ColumnClusterer.cluster(values, ClusterOptions.defaults().withClusters(2)).labels()
 * $2 ==> [0, 0, 1, 1]
 * }</pre>
 *
 * <p>Stateless and thread-safe. Costs {@code O(cols^2 x rows)} for the distances plus Smile's
 * {@code O(cols^2)}-memory agglomeration.
 */
public final class ColumnClusterer {
  /** Iterations of one k-means restart, at most. */
  public static final int KMEANS_MAX_ITERATIONS = 100;

  private ColumnClusterer() {}

  /**
   * Clusters the columns of {@code values}.
   *
   * @throws InvalidInputException if there are no columns or rows, a value is NaN or infinite, or
   *     more clusters are asked for than there are columns
   */
  public static ColumnClustering cluster(FloatMatrix values, ClusterOptions options) {
    int rows = values.rows();
    int cols = values.cols();
    InvalidInputException.check(cols >= 1 && rows >= 1,
        "cannot cluster a [%s x %s] matrix; it needs at least one row and one column", rows, cols);
    float[] columns = new float[rows * cols]; // column-major: column c at [c * rows, (c + 1) * rows)
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        float v = values.get(r, c);
        if (!Float.isFinite(v)) {
          throw new InvalidInputException(String.format(
              "value [%d, %d] (%s) must be finite; remove NaN/infinite entries before clustering", r, c, v));
        }
        columns[c * rows + r] = v;
      }
    }
    if (options.clusters() > 0) {
      checkClusterCount(options.clusters(), cols);
    }
    return options.method() == ClusterOptions.Method.KMEANS ? kMeans(columns, rows, cols, options)
        : hierarchical(columns, rows, cols, options);
  }

  private static void checkClusterCount(int clusters, int cols) {
    InvalidInputException.check(clusters <= cols,
        "clusters (%s) must not exceed the number of columns (%s); ask for at most %s clusters", clusters, cols, cols);
  }

  /**
   * The condensed lower triangle (diagonal included, column by column) Smile's linkages read.
   * Entry of {@code (i, j)}, {@code i >= j}: {@code len - (n - j)(n - j + 1)/2 + i - j}.
   */
  static float[] proximity(float[] columns, int rows, int cols, ClusterOptions.Distance distance, boolean euclideanGeometry) {
    double[] prepared = new double[rows * cols];
    boolean[] constant = new boolean[cols];
    double[] sqNorm = new double[cols];
    for (int c = 0; c < cols; c++) {
      int base = c * rows;
      if (distance == ClusterOptions.Distance.CORRELATION) {
        double mean = 0;
        for (int r = 0; r < rows; r++) {
          mean += columns[base + r];
        }
        mean /= rows;
        double ss = 0;
        for (int r = 0; r < rows; r++) {
          double x = columns[base + r] - mean;
          prepared[base + r] = x;
          ss += x * x;
        }
        double norm = Math.sqrt(ss);
        constant[c] = !(norm > 1e-12 * Math.max(1.0, Math.abs(mean)) * Math.sqrt(rows));
        for (int r = 0; r < rows; r++) {
          prepared[base + r] = constant[c] ? 0 : prepared[base + r] / norm;
        }
      } else {
        double ss = 0;
        for (int r = 0; r < rows; r++) {
          prepared[base + r] = columns[base + r];
          ss += prepared[base + r] * prepared[base + r];
        }
        sqNorm[c] = ss;
      }
    }
    // the prepared columns as floats: half the memory traffic, and the dot products below run on
    // four independent accumulators (each dot product's own error stays ~1e-7 relative)
    float[] packed = new float[prepared.length];
    for (int i = 0; i < packed.length; i++) {
      packed[i] = (float) prepared[i];
    }
    int n = cols;
    float[] prox = new float[n * (n + 1) / 2];
    // tiles of 32 x 32 columns keep both tiles (2 x 32 x rows floats) in L1/L2
    int tile = 32;
    for (int j0 = 0; j0 < n; j0 += tile) {
      int j1 = Math.min(n, j0 + tile);
      for (int i0 = j0; i0 < n; i0 += tile) {
        int i1 = Math.min(n, i0 + tile);
        for (int j = j0; j < j1; j++) {
          int base = prox.length - (n - j) * (n - j + 1) / 2 - j; // + i gives entry (i, j)
          for (int i = Math.max(i0, j); i < i1; i++) {
            double d;
            if (i == j) {
              d = 0;
            } else {
              double dot = dot(packed, i * rows, j * rows, rows);
              if (distance == ClusterOptions.Distance.CORRELATION) {
                double corr = constant[i] || constant[j] ? 0 : Math.max(-1, Math.min(1, dot));
                d = euclideanGeometry ? Math.sqrt(2 * (1 - corr)) : 1 - corr;
              } else {
                d = Math.sqrt(Math.max(0, sqNorm[i] + sqNorm[j] - 2 * dot));
              }
            }
            prox[base + i] = (float) d;
          }
        }
      }
    }
    return prox;
  }

  private static double dot(float[] a, int ia, int ib, int length) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int r = 0;
    for (; r + 3 < length; r += 4) {
      s0 += a[ia + r] * a[ib + r];
      s1 += a[ia + r + 1] * a[ib + r + 1];
      s2 += a[ia + r + 2] * a[ib + r + 2];
      s3 += a[ia + r + 3] * a[ib + r + 3];
    }
    for (; r < length; r++) {
      s0 += a[ia + r] * a[ib + r];
    }
    return (double) s0 + s1 + s2 + s3;
  }

  private static ColumnClustering hierarchical(float[] columns, int rows, int cols, ClusterOptions options) {
    if (cols == 1) {
      return new ColumnClustering(options, List.of(0), List.of(0), 1, Optional.of(new Dendrogram(1, new int[0][], new double[0])));
    }
    float[] prox = proximity(columns, rows, cols, options.distance(), options.method() == ClusterOptions.Method.WARD);
    smile.clustering.linkage.Linkage linkage;
    switch (options.method()) {
      case SINGLE:
        linkage = new SingleLinkage(cols, prox);
        break;
      case COMPLETE:
        linkage = new CompleteLinkage(cols, prox);
        break;
      case AVERAGE:
        linkage = new UPGMALinkage(cols, prox);
        break;
      default:
        linkage = new WardLinkage(cols, prox);
        break;
    }
    HierarchicalClustering hc = HierarchicalClustering.fit(linkage);
    int[][] tree = hc.tree();
    double[] heights = hc.height();
    Dendrogram dendrogram = new Dendrogram(cols, tree, heights);
    int[] raw;
    int into = options.clusters();
    if (into > 0) {
      raw = into == cols ? identity(cols) : into == 1 ? new int[cols] : hc.partition(into);
    } else {
      raw = cutAtHeight(dendrogram, options.cutHeight());
    }
    return relabel(options, raw, dendrogram.leafOrder(), Optional.of(dendrogram));
  }

  /** Union-find over the merges at or below {@code height}; robust to Smile's edge cases. */
  private static int[] cutAtHeight(Dendrogram d, double height) {
    int n = d.leaves();
    int[] parent = new int[2 * n - 1];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    for (int m = 0; m < d.merges(); m++) {
      if (d.height(m) <= height) {
        parent[find(parent, d.left(m))] = n + m;
        parent[find(parent, d.right(m))] = n + m;
      }
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = find(parent, i);
    }
    return labels;
  }

  private static int find(int[] parent, int x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }

  private static int[] identity(int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = i;
    }
    return out;
  }

  /** Renumbers arbitrary labels 0, 1, ... in order of first appearance along {@code order}. */
  private static ColumnClustering relabel(ClusterOptions options, int[] raw, int[] order, Optional<Dendrogram> dendrogram) {
    java.util.Map<Integer, Integer> renumber = new java.util.HashMap<>();
    for (int column : order) {
      renumber.putIfAbsent(raw[column], renumber.size());
    }
    List<Integer> labels = new ArrayList<>(raw.length);
    for (int label : raw) {
      labels.add(renumber.get(label));
    }
    List<Integer> orderList = new ArrayList<>(order.length);
    for (int column : order) {
      orderList.add(column);
    }
    return new ColumnClustering(options, labels, orderList, renumber.size(), dendrogram);
  }

  private static ColumnClustering kMeans(float[] columns, int rows, int cols, ClusterOptions options) {
    // points: the columns (standardised to unit norm under correlation distance)
    double[][] points = new double[cols][rows];
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < rows; r++) {
        points[c][r] = columns[c * rows + r];
      }
      if (options.distance() == ClusterOptions.Distance.CORRELATION) {
        double mean = Arrays.stream(points[c]).average().orElse(0);
        double ss = 0;
        for (int r = 0; r < rows; r++) {
          points[c][r] -= mean;
          ss += points[c][r] * points[c][r];
        }
        double norm = Math.sqrt(ss);
        for (int r = 0; r < rows; r++) {
          points[c][r] = norm > 1e-12 ? points[c][r] / norm : 0;
        }
      }
    }
    int k = options.clusters();
    SplittableRandom random = new SplittableRandom(options.seed());
    int[] best = null;
    double bestCost = Double.POSITIVE_INFINITY;
    for (int restart = 0; restart < options.restarts(); restart++) {
      int[] labels = new int[cols];
      double cost = lloyd(points, k, KMEANS_MAX_ITERATIONS, random.split(), labels);
      if (cost < bestCost - 1e-12) {
        bestCost = cost;
        best = labels;
      }
    }
    // display order: clusters by first column, columns within a cluster by ascending index
    int[] firstColumn = new int[k];
    Arrays.fill(firstColumn, Integer.MAX_VALUE);
    for (int c = cols - 1; c >= 0; c--) {
      firstColumn[best[c]] = c;
    }
    Integer[] order = new Integer[cols];
    for (int c = 0; c < cols; c++) {
      order[c] = c;
    }
    final int[] labels = best;
    Arrays.sort(order, (a, b) -> firstColumn[labels[a]] != firstColumn[labels[b]]
        ? Integer.compare(firstColumn[labels[a]], firstColumn[labels[b]]) : Integer.compare(a, b));
    return relabel(options, labels, Arrays.stream(order).mapToInt(Integer::intValue).toArray(), Optional.empty());
  }

  private static double lloyd(double[][] points, int k, int maxIterations, SplittableRandom random, int[] labels) {
    int n = points.length;
    int dim = points[0].length;
    double[][] centroids = new double[k][];
    // k-means++ seeding
    centroids[0] = points[random.nextInt(n)].clone();
    double[] nearest = new double[n];
    Arrays.fill(nearest, Double.POSITIVE_INFINITY);
    for (int c = 1; c < k; c++) {
      double total = 0;
      for (int p = 0; p < n; p++) {
        nearest[p] = Math.min(nearest[p], sq(points[p], centroids[c - 1]));
        total += nearest[p];
      }
      int pick;
      if (total > 0) {
        double target = random.nextDouble() * total;
        pick = n - 1;
        for (int p = 0; p < n; p++) {
          target -= nearest[p];
          if (target < 0) {
            pick = p;
            break;
          }
        }
      } else {
        pick = random.nextInt(n); // all points coincide with a centroid
      }
      centroids[c] = points[pick].clone();
    }
    double cost = 0;
    for (int iteration = 0; iteration < maxIterations; iteration++) {
      boolean changed = false;
      cost = 0;
      for (int p = 0; p < n; p++) {
        int bestC = 0;
        double bestD = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          double d = sq(points[p], centroids[c]);
          if (d < bestD) {
            bestD = d;
            bestC = c;
          }
        }
        cost += bestD;
        if (labels[p] != bestC || iteration == 0) {
          changed |= labels[p] != bestC;
          labels[p] = bestC;
        }
      }
      if (!changed && iteration > 0) {
        break;
      }
      double[][] sums = new double[k][dim];
      int[] counts = new int[k];
      for (int p = 0; p < n; p++) {
        counts[labels[p]]++;
        for (int r = 0; r < dim; r++) {
          sums[labels[p]][r] += points[p][r];
        }
      }
      for (int c = 0; c < k; c++) {
        if (counts[c] > 0) {
          for (int r = 0; r < dim; r++) {
            centroids[c][r] = sums[c][r] / counts[c];
          }
        }
      }
    }
    return cost;
  }

  private static double sq(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return s;
  }
}
