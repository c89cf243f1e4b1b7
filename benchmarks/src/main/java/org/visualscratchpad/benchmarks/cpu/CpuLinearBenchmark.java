package org.visualscratchpad.benchmarks.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
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
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.visualscratchpad.safetensors.DType;
import org.visualscratchpad.safetensors.Half;
import org.visualscratchpad.torch.cpu.CpuOps;
import org.visualscratchpad.torch.cpu.CpuThreads;
import org.visualscratchpad.torch.cpu.PackedWeight;

/**
 * The CPU engine's kernels on LLaVA shapes: {@code linear} as GEMM (vision tower, m = 577 rows of
 * CLIP-L/336 width 1024 to its MLP 4096; Llama prefill, m = 600, 2048 to 5632) and as GEMV (decode, m =
 * 1: 2048 to 5632, 4096 to 11008, and the 4096 x 32064 lm_head), for F32, F16 and BF16 weights; the
 * attention GEMMs of one head (k = 64); and a plain read of a 256 MiB array on all threads, the
 * machine's memory bandwidth measured in the same run. Fixed seeds.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.visualscratchpad.benchmarks.cpu.CpuLinearBenchmark        # table with GFLOP/s and GB/s
 * java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar CpuLinearBenchmark -wi 2 -i 3 -f 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
public class CpuLinearBenchmark {

  /** One linear layer: weights {@code [out, in]} in one storage and {@code m} input rows. */
  @State(Scope.Benchmark)
  public static class Linear {
    /** {@code m x in x out}. */
    @Param({"577x1024x4096", "600x2048x5632", "1x2048x5632", "1x4096x11008", "1x4096x32064"})
    public String shape;

    @Param({"F32", "F16", "BF16"})
    public String storage;

    PackedWeight w;
    float[] x;
    float[] bias;
    float[] y;
    int m;

    @Setup(Level.Trial)
    public void setUp() {
      int[] s = parse(shape);
      m = s[0];
      int in = s[1];
      int out = s[2];
      SplittableRandom r = new SplittableRandom(42);
      PackedWeight.Storage st = PackedWeight.Storage.valueOf(storage);
      long n = (long) out * in;
      DType dtype = st == PackedWeight.Storage.F32 ? DType.F32 : st == PackedWeight.Storage.F16 ? DType.F16 : DType.BF16;
      ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n * dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
      for (long i = 0; i < n; i++) {
        float v = (float) (r.nextDouble(-1, 1) * 0.05);
        switch (st) {
          case F32 -> b.putFloat((int) (i * 4), v);
          case F16 -> b.putShort((int) (i * 2), Half.floatToF16(v));
          case BF16 -> b.putShort((int) (i * 2), Half.floatToBf16(v));
        }
      }
      w = PackedWeight.pack(b, dtype, out, in, null);
      x = new float[m * in];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextDouble(-1, 1);
      }
      bias = new float[out];
      y = new float[m * out];
    }
  }

  /** Two heads' worth of attention GEMMs: scores {@code q k^T} and {@code p v}, head dim 64, stride 4096. */
  @State(Scope.Benchmark)
  public static class Attention {
    /** {@code m x n x k}. */
    @Param({"587x587x64", "2950x2950x64"})
    public String shape;

    int m;
    int n;
    int k;
    float[] q;
    float[] kv;
    float[] scores;
    float[] out;

    @Setup(Level.Trial)
    public void setUp() {
      int[] s = parse(shape);
      m = s[0];
      n = s[1];
      k = s[2];
      SplittableRandom r = new SplittableRandom(43);
      q = new float[m * 4096];
      kv = new float[n * 4096];
      for (int i = 0; i < q.length; i++) {
        q[i] = (float) r.nextDouble(-1, 1);
      }
      for (int i = 0; i < kv.length; i++) {
        kv[i] = (float) r.nextDouble(-1, 1);
      }
      scores = new float[m * n];
      out = new float[m * 4096];
    }
  }

  /** A 256 MiB array read on all threads. */
  @State(Scope.Benchmark)
  public static class Stream {
    final float[] data = new float[64 << 20];
    final float[] sums = new float[CpuThreads.threads()];
  }

  @Benchmark
  public float[] linear(Linear s) {
    CpuOps.linear(s.x, s.m, s.w, s.bias, s.y);
    return s.y;
  }

  @Benchmark
  public float[] attentionScores(Attention s) {
    CpuOps.gemmABt(s.m, s.n, s.k, 0.125f, s.q, 0, 4096, s.kv, 0, 4096, s.scores, 0, s.n);
    return s.scores;
  }

  @Benchmark
  public float[] attentionValues(Attention s) {
    CpuOps.gemmAB(s.m, s.k, s.n, s.scores, 0, s.n, s.kv, 0, 4096, s.out, 0, 4096);
    return s.out;
  }

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  @Benchmark
  public float[] memoryRead(Stream s) {
    int parts = s.sums.length;
    CpuThreads.parallelFor(parts, p -> {
      int n = s.data.length / parts;
      int end = (p + 1) * n;
      int step = 4 * S.length();
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      for (int i = p * n; i + step <= end; i += step) {
        a0 = a0.add(FloatVector.fromArray(S, s.data, i));
        a1 = a1.add(FloatVector.fromArray(S, s.data, i + S.length()));
        a2 = a2.add(FloatVector.fromArray(S, s.data, i + 2 * S.length()));
        a3 = a3.add(FloatVector.fromArray(S, s.data, i + 3 * S.length()));
      }
      s.sums[p] = a0.add(a1).add(a2).add(a3).lane(0);
    });
    return s.sums;
  }

  static int[] parse(String shape) {
    String[] p = shape.split("x");
    return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
  }

  /** Runs every benchmark (or those matching {@code args[0]}) and prints GFLOP/s and GB/s per case. */
  public static void main(String[] args) throws RunnerException, java.io.IOException {
    String include = CpuLinearBenchmark.class.getSimpleName() + (args.length > 0 ? "." + args[0] : "");
    String loadBefore = loadAverage();
    Collection<RunResult> results = new Runner(new OptionsBuilder().include(include).build()).run();
    System.out.printf("%nimplementation %s, %d threads; load average before: %s, after: %s%n",
        CpuOps.implementation(), CpuThreads.threads(), loadBefore, loadAverage());
    System.out.printf("%-16s %-22s %-6s %10s %10s %10s%n", "benchmark", "shape", "dtype", "ms", "GFLOP/s", "GB/s");
    for (RunResult r : results) {
      var params = r.getParams();
      String name = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
      double ms = r.getPrimaryResult().getScore();
      double flops = 0;
      double bytes;
      String shape = params.getParam("shape");
      String storage = params.getParam("storage");
      if (name.equals("memoryRead")) {
        bytes = 4.0 * (64 << 20);
      } else {
        int[] s = parse(shape);
        flops = 2.0 * s[0] * s[1] * s[2];
        if (name.equals("linear")) {
          int panels = (s[2] + PackedWeight.NR - 1) / PackedWeight.NR;
          bytes = (double) panels * PackedWeight.NR * s[1] * (storage.equals("F32") ? 4 : 2);
        } else {
          bytes = 4.0 * s[0] * s[1]; // the scores matrix, written or read
        }
      }
      System.out.printf("%-16s %-22s %-6s %10.3f %10.1f %10.1f%n", name, shape == null ? "256 MiB" : shape,
          storage == null ? "f32" : storage, ms, flops / ms / 1e6, bytes / ms / 1e6);
    }
  }

  private static String loadAverage() throws java.io.IOException {
    Path p = Path.of("/proc/loadavg");
    return Files.exists(p) ? Files.readString(p).trim() : "n/a";
  }
}
