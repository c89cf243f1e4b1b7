package org.visualscratchpad.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
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
import org.visualscratchpad.analysis.embedding.LatentMap;
import org.visualscratchpad.analysis.embedding.UmapOptions;
import org.visualscratchpad.tensor.FloatMatrix;
import smile.manifold.UMAP;
import smile.math.MathEx;

/**
 * The decoder map of the page: UMAP of {@code dSae} unit decoder directions of width 1,024 (seeded
 * Gaussian, 15 neighbours, 200 epochs). Baseline: Smile's {@code UMAP.of(double[][], ...)}, which
 * finds the neighbours by its own linear search, on one worker as {@code LatentMap} runs it before
 * its k-NN change; contender: {@link LatentMap#of}, whose exact k-NN graph is computed in blocks on
 * every core and handed to the same Smile UMAP.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar LatentMapBenchmark -p dSae=4096}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
public class LatentMapBenchmark {
  @Param({"4096"})
  int dSae;

  FloatMatrix decoder;
  double[][] unit;

  @Setup(Level.Trial)
  public void setUp() {
    int dIn = 1024;
    SplittableRandom r = new SplittableRandom(11);
    float[] d = new float[dSae * dIn];
    unit = new double[dSae][dIn];
    for (int j = 0; j < dSae; j++) {
      double s = 0;
      for (int i = 0; i < dIn; i++) {
        d[j * dIn + i] = (float) r.nextGaussian();
        s += d[j * dIn + i] * d[j * dIn + i];
      }
      for (int i = 0; i < dIn; i++) {
        unit[j][i] = d[j * dIn + i] / Math.sqrt(s);
      }
    }
    decoder = FloatMatrix.of(dSae, dIn, d);
  }

  @Benchmark
  public UMAP smileOwnSearch() throws Exception {
    ForkJoinPool pool = new ForkJoinPool(1);
    try {
      return pool.submit(() -> {
        MathEx.setSeed(1);
        return UMAP.of(unit, 15, 2, 200, 1.0, 0.1, 1.0, 5, 1.0);
      }).get();
    } finally {
      pool.shutdown();
    }
  }

  @Benchmark
  public LatentMap latentMap() {
    return LatentMap.of(decoder, UmapOptions.defaults().withSeed(1));
  }
}
