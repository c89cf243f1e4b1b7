package org.visualscratchpad.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.visualscratchpad.analysis.cluster.ColumnClusterer;
import org.visualscratchpad.analysis.cluster.ColumnClustering;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Clustering 2,000 heatmap columns over 200 tokens (10 planted groups plus noise, seed 7):
 * hierarchical average linkage on correlation distance (the paper's setting), Ward on correlation,
 * and k-means (10 restarts).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar ClusteringBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class ClusteringBenchmark {
  @Param({"2000"})
  int columns;

  FloatMatrix values;

  @Setup(Level.Trial)
  public void setUp() {
    Random rnd = new Random(7);
    int rows = 200;
    int groups = 10;
    float[][] proto = new float[groups][rows];
    for (int g = 0; g < groups; g++) {
      for (int r = 0; r < rows; r++) {
        proto[g][r] = rnd.nextFloat() < 0.2 ? rnd.nextFloat() : 0f;
      }
    }
    float[] d = new float[rows * columns];
    for (int c = 0; c < columns; c++) {
      int g = rnd.nextInt(groups);
      for (int r = 0; r < rows; r++) {
        d[r * columns + c] = Math.max(0, proto[g][r] + 0.05f * (float) rnd.nextGaussian());
      }
    }
    values = FloatMatrix.of(rows, columns, d);
  }

  @Benchmark
  public ColumnClustering averageCorrelation() {
    return ColumnClusterer.cluster(values, ClusterOptions.defaults().withClusters(10));
  }

  @Benchmark
  public ColumnClustering wardCorrelation() {
    return ColumnClusterer.cluster(values, ClusterOptions.defaults().withMethod(ClusterOptions.Method.WARD).withClusters(10));
  }

  @Benchmark
  public ColumnClustering kMeansCorrelation() {
    return ColumnClusterer.cluster(values, ClusterOptions.defaults().withMethod(ClusterOptions.Method.KMEANS).withClusters(10)
        .withSeed(7));
  }
}
