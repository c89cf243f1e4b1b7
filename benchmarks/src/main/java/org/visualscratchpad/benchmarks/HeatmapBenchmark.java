package org.visualscratchpad.benchmarks;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.visualscratchpad.analysis.heatmap.FilteredLatents;
import org.visualscratchpad.analysis.heatmap.HeatmapMatrix;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.analysis.heatmap.TokenSpan;
import org.visualscratchpad.analysis.ranking.AttentionScorer;
import org.visualscratchpad.analysis.ranking.AttentionWeighting;
import org.visualscratchpad.analysis.ranking.ImageTokenRows;
import org.visualscratchpad.analysis.ranking.PatchActivations;
import org.visualscratchpad.analysis.ranking.SpanAggregation;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * The token-latent heatmap's selection step at LLaVA-NeXT scale: 200 tokens x 2,880 image tokens
 * (5 crops of 576 patches) x 32,768 latents at 2 % density (1.9 M active entries), from cached
 * sparse activations. {@code heatmapMatrix} is the library path (fused top-20 per token, union,
 * scores of the union); {@code filteredHeatmapMatrix} the same with the paper's noisy-latent filter
 * (2 % per axis of seeded random statistics), whose removed latents come from the same pass;
 * {@code ranking} what {@code answer.rankLatents()} computes (top-20 per token and the span mean of
 * every latent's scores, on the same scorer); {@code naivePerTokenScores} is the baseline that
 * computes every token's dense 32,768 scores from the token-major CSR and ranks them; {@code
 * buildIndex} is the one-off cost of caching the activations latent-major. Seed 42.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar HeatmapBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
public class HeatmapBenchmark {
  static final int TOKENS = 200;
  static final int CROPS = 5;
  static final int PATCHES_PER_CROP = 576;
  static final int D_SAE = 32_768;
  static final double DENSITY = 0.02;

  List<SparseActivations> crops;
  ImageTokenRows map;
  PatchActivations patches;
  FloatMatrix attention;
  List<String> tokens;
  FilteredLatents none;
  FilteredLatents noisy;

  @Setup(Level.Trial)
  public void setUp() {
    Random rnd = new Random(42);
    crops = new ArrayList<>();
    int[] ids = new int[D_SAE];
    float[] vals = new float[D_SAE];
    for (int c = 0; c < CROPS; c++) {
      SparseActivations.Builder b = SparseActivations.builder(D_SAE);
      for (int row = 0; row < PATCHES_PER_CROP + 1; row++) {
        int n = 0;
        for (int j = 0; j < D_SAE; j++) {
          if (rnd.nextDouble() < DENSITY) {
            ids[n] = j;
            vals[n++] = 0.01f + 5 * rnd.nextFloat();
          }
        }
        b.addRow(ids, vals, n);
      }
      crops.add(b.build());
    }
    int n = CROPS * PATCHES_PER_CROP;
    int[] cropOf = new int[n];
    int[] rowOf = new int[n];
    for (int k = 0; k < n; k++) {
      cropOf[k] = k / PATCHES_PER_CROP;
      rowOf[k] = k % PATCHES_PER_CROP + 1;
    }
    map = ImageTokenRows.of(cropOf, rowOf);
    patches = PatchActivations.of(crops, map);
    float[] a = new float[TOKENS * n];
    for (int t = 0; t < TOKENS; t++) {
      double sum = 0;
      for (int k = 0; k < n; k++) {
        a[t * n + k] = (float) -Math.log(1e-9 + rnd.nextDouble());
        sum += a[t * n + k];
      }
      for (int k = 0; k < n; k++) {
        a[t * n + k] *= (float) (0.4 / sum);
      }
    }
    attention = FloatMatrix.of(TOKENS, n, a);
    tokens = new ArrayList<>();
    for (int t = 0; t < TOKENS; t++) {
      tokens.add("t" + t);
    }
    none = FilteredLatents.none(D_SAE);
    float[] mean = new float[D_SAE];
    float[] freq = new float[D_SAE];
    for (int j = 0; j < D_SAE; j++) {
      mean[j] = rnd.nextFloat();
      freq[j] = rnd.nextFloat();
    }
    noisy = FilteredLatents.of(DatasetStatistics.of(mean, freq), HeatmapOptions.NoisyFilter.BOTH, 2.0);
  }

  @Benchmark
  public HeatmapMatrix heatmapMatrix() {
    return HeatmapMatrix.compute(patches, attention, tokens, TokenSpan.all(TOKENS), none, 20, AttentionWeighting.RAW);
  }

  @Benchmark
  public HeatmapMatrix filteredHeatmapMatrix() {
    return HeatmapMatrix.compute(patches, attention, tokens, TokenSpan.all(TOKENS), noisy, 20, AttentionWeighting.RAW);
  }

  @Benchmark
  public void ranking(Blackhole bh) {
    AttentionScorer scorer = new AttentionScorer(patches, attention, AttentionWeighting.RAW);
    bh.consume(scorer.topK(20, new BitSet()));
    bh.consume(scorer.scores(tokens).span(0, TOKENS, SpanAggregation.MEAN).topK(20));
  }

  @Benchmark
  public int naivePerTokenScores() {
    // the baseline: every token's dense scores from the token-major CSR, then its top 20 by a full sort
    int n = patches.imageTokens();
    float[] row = new float[n];
    float[] scores = new float[D_SAE];
    BitSet union = new BitSet(D_SAE);
    Integer[] order = new Integer[D_SAE];
    for (int t = 0; t < TOKENS; t++) {
      attention.copyRowInto(t, row, 0);
      java.util.Arrays.fill(scores, 0f);
      for (int k = 0; k < n; k++) {
        for (int i = patches.tokenStart(k); i < patches.tokenEnd(k); i++) {
          scores[patches.tokenEntryLatent(i)] += row[k] * patches.tokenEntryValue(i);
        }
      }
      for (int j = 0; j < D_SAE; j++) {
        order[j] = j;
      }
      java.util.Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
      for (int i = 0; i < 20 && scores[order[i]] > 0; i++) {
        union.set(order[i]);
      }
    }
    return union.cardinality();
  }

  @Benchmark
  public PatchActivations buildIndex() {
    return PatchActivations.of(crops, map);
  }
}
