package org.visualscratchpad.analysis.embedding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.analysis.cluster.ColumnClusterer;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.analysis.render.ScatterPlot;
import org.visualscratchpad.tensor.FloatMatrix;
import smile.manifold.UMAP;
import smile.math.MathEx;

/**
 * A 2-D map of every latent's decoder direction (UMAP, seeded), with cluster labels. Every latent
 * is placed: Smile's UMAP embeds only the largest connected component of its k-NN graph, so the
 * leftover points are embedded again, component by component, and components too small for UMAP
 * ({@code <= neighbours} points) are laid out on a small circle; the pieces are packed side by side,
 * largest first, each scaled to {@code sqrt(size)}.
 *
 * <pre>{@code
 * jshell> var map = LatentMap.of(wDec, UmapOptions.defaults().withSeed(1)).withClusters(8, 1L);   // wDec [dSae x dIn]
 * map ==> LatentMap[256 latents, 3 pieces, seed 1, 8 clusters]
 * jshell> ScatterPicture.render(map.plot()).save(Path.of("umap.png"))
 * }</pre>
 *
 * <p>Reproducibility: Smile's generator is seeded with {@code seed} (plus the piece number) before
 * each piece, on a dedicated single worker thread. The k-NN graph and the split into pieces are
 * deterministic, but Smile's spectral initialisation calls ARPACK, whose native random start vector
 * keeps process-wide state: the same call sequence in a fresh JVM gives the same coordinates, a
 * repeated call in the same JVM gives a different (equally valid) layout.
 *
 * <p>Immutable and thread-safe. Cost: the exact k-NN graph of the directions (blocked dot products,
 * {@code O(dSae^2 dIn)}) and Smile's UMAP on it; measured figures in {@code docs/benchmarks.md}.
 */
public final class LatentMap {
  private final float[] x;
  private final float[] y;
  private final int[] labels;
  private final int pieces;
  private final UmapOptions options;

  private LatentMap(float[] x, float[] y, int[] labels, int pieces, UmapOptions options) {
    this.x = x;
    this.y = y;
    this.labels = labels;
    this.pieces = pieces;
    this.options = options;
  }

  /**
   * Embeds the rows of {@code decoder} (each normalised to unit length, so distances follow cosine
   * similarity; a zero row stays at the origin of the unit sphere).
   *
   * @param decoder {@code [dSae x dIn]} decoder directions
   * @throws InvalidInputException if there are fewer than 2 rows or a value is not finite
   */
  public static LatentMap of(FloatMatrix decoder, UmapOptions options) {
    int n = decoder.rows();
    InvalidInputException.check(n >= 2, "a latent map needs at least 2 decoder rows; got %s", n);
    int d = decoder.cols();
    float[] data = decoder.toArray(); // normalised in place: a private copy
    for (int j = 0; j < n; j++) {
      double norm = 0;
      for (int c = j * d; c < (j + 1) * d; c++) {
        float v = data[c];
        InvalidInputException.check(Float.isFinite(v), "decoder row %s holds a non-finite value (%s)", j, v);
        norm += (double) v * v;
      }
      norm = Math.sqrt(norm);
      for (int c = j * d; c < (j + 1) * d; c++) {
        data[c] = norm > 0 ? (float) (data[c] / norm) : 0f;
      }
    }
    List<int[]> components = new ArrayList<>();
    List<double[][]> layouts = new ArrayList<>();
    int[] remaining = new int[n];
    for (int j = 0; j < n; j++) {
      remaining[j] = j;
    }
    while (remaining.length > 0) {
      if (remaining.length <= options.neighbours() + 1) {
        components.add(remaining);
        layouts.add(circle(remaining.length));
        break;
      }
      float[] subset = data;
      if (remaining.length < n) {
        subset = new float[remaining.length * d];
        for (int i = 0; i < remaining.length; i++) {
          System.arraycopy(data, remaining[i] * d, subset, i * d, d);
        }
      }
      UMAP umap = embed(subset, remaining.length, d, options, options.seed() + components.size());
      int[] kept = new int[umap.index.length];
      boolean[] placed = new boolean[remaining.length];
      for (int i = 0; i < kept.length; i++) {
        kept[i] = remaining[umap.index[i]];
        placed[umap.index[i]] = true;
      }
      components.add(kept);
      layouts.add(umap.coordinates);
      int[] next = new int[remaining.length - kept.length];
      int at = 0;
      for (int i = 0; i < remaining.length; i++) {
        if (!placed[i]) {
          next[at++] = remaining[i];
        }
      }
      remaining = next;
    }
    float[] x = new float[n];
    float[] y = new float[n];
    pack(components, layouts, x, y);
    int[] labels = new int[n];
    Arrays.fill(labels, -1);
    return new LatentMap(x, y, labels, components.size(), options);
  }

  /**
   * Smile's UMAP on the exact k-NN graph of {@link ExactNeighbours} (computed on every core; the
   * same graph Smile's own search finds, much faster), made reproducible: UMAP's parallel steps and
   * its thread-local generator run on one dedicated worker thread that is seeded first.
   */
  private static UMAP embed(float[] data, int n, int d, UmapOptions options, long seed) {
    ExactNeighbours nn = ExactNeighbours.of(data, n, d, options.neighbours());
    Integer[] rows = new Integer[n];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = i;
    }
    ForkJoinPool pool = new ForkJoinPool(1);
    try {
      return pool.submit(() -> {
        MathEx.setSeed(seed);
        return UMAP.of(rows, nn.asDistance(), options.neighbours(), 2, options.epochs(), 1.0, options.minDist(), 1.0, 5, 1.0);
      }).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new org.visualscratchpad.ScratchpadException("UMAP was interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new org.visualscratchpad.ScratchpadException("UMAP failed on " + n + " points: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdown();
    }
  }

  private static double[][] circle(int size) {
    double[][] out = new double[size][2];
    for (int i = 0; i < size; i++) {
      double a = 2 * Math.PI * i / size;
      out[i][0] = size == 1 ? 0 : Math.cos(a);
      out[i][1] = size == 1 ? 0 : Math.sin(a);
    }
    return out;
  }

  /** Shelf packing: pieces in rows, each scaled into a square of side {@code sqrt(size)}. */
  private static void pack(List<int[]> components, List<double[][]> layouts, float[] x, float[] y) {
    int total = 0;
    for (int[] c : components) {
      total += c.length;
    }
    double rowWidth = Math.sqrt(total) * 1.6;
    double cx = 0;
    double cy = 0;
    double rowHeight = 0;
    for (int p = 0; p < components.size(); p++) {
      int[] members = components.get(p);
      double[][] coords = layouts.get(p);
      double side = Math.sqrt(members.length);
      double minX = Double.POSITIVE_INFINITY;
      double maxX = Double.NEGATIVE_INFINITY;
      double minY = Double.POSITIVE_INFINITY;
      double maxY = Double.NEGATIVE_INFINITY;
      for (double[] c : coords) {
        minX = Math.min(minX, c[0]);
        maxX = Math.max(maxX, c[0]);
        minY = Math.min(minY, c[1]);
        maxY = Math.max(maxY, c[1]);
      }
      double span = Math.max(Math.max(maxX - minX, maxY - minY), 1e-9);
      if (cx > 0 && cx + side > rowWidth) {
        cx = 0;
        cy += rowHeight + 0.5;
        rowHeight = 0;
      }
      for (int i = 0; i < members.length; i++) {
        x[members[i]] = (float) (cx + side * (coords[i][0] - minX) / span);
        y[members[i]] = (float) (cy + side * (coords[i][1] - minY) / span);
      }
      cx += side + 0.5;
      rowHeight = Math.max(rowHeight, side);
    }
  }

  /**
   * The same map with {@code clusters} k-means clusters of the 2-D positions (seeded, 10 restarts).
   *
   * @throws InvalidInputException if {@code clusters} exceeds the number of latents
   */
  public LatentMap withClusters(int clusters, long seed) {
    float[] d = new float[2 * x.length];
    for (int j = 0; j < x.length; j++) {
      d[j] = x[j];
      d[x.length + j] = y[j];
    }
    var c = ColumnClusterer.cluster(FloatMatrix.of(2, x.length, d), ClusterOptions.defaults()
        .withMethod(ClusterOptions.Method.KMEANS).withDistance(ClusterOptions.Distance.EUCLIDEAN).withClusters(clusters)
        .withSeed(seed));
    int[] labels = new int[x.length];
    for (int j = 0; j < x.length; j++) {
      labels[j] = c.labels().get(j);
    }
    return new LatentMap(x, y, labels, pieces, options);
  }

  /**
   * The same map with caller-given labels (e.g. heatmap clusters; -1 = none).
   *
   * @throws InvalidInputException if the length is not {@code dSae}
   */
  public LatentMap withLabels(int[] latentLabels) {
    InvalidInputException.check(latentLabels.length == x.length, "labels (%s) must have one entry per latent (%s)",
        latentLabels.length, x.length);
    return new LatentMap(x, y, latentLabels.clone(), pieces, options);
  }

  public int dSae() {
    return x.length;
  }

  public float x(int latentId) {
    return x[latentId];
  }

  public float y(int latentId) {
    return y[latentId];
  }

  public int label(int latentId) {
    return labels[latentId];
  }

  /** Number of separately embedded pieces (connected components of the k-NN graph, roughly). */
  public int pieces() {
    return pieces;
  }

  public UmapOptions options() {
    return options;
  }

  /** The scatter-plot data. */
  public ScatterPlot plot() {
    return ScatterPlot.of("UMAP of decoder directions (" + x.length + " latents, seed " + options.seed() + ")", "UMAP 1",
        "UMAP 2", x, y).withLabels(labels);
  }

  @Override
  public String toString() {
    int clusters = (int) Arrays.stream(labels).filter(l -> l >= 0).distinct().count();
    return String.format(Locale.ROOT, "LatentMap[%d latents, %d pieces, seed %d%s]", x.length, pieces, options.seed(),
        clusters > 0 ? ", " + clusters + " clusters" : "");
  }
}
