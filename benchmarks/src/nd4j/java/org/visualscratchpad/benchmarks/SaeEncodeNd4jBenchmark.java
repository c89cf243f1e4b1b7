package org.visualscratchpad.benchmarks;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
import org.visualscratchpad.sae.SparseActivations;

/**
 * ND4J (OpenBLAS sgemm) as a contender of {@link SaeEncodeBenchmark}: the same seeded SAE and
 * inputs, matmul + bias + ReLU, then the same sparse rows extracted from the dense result. Built
 * only with the Maven profile {@code nd4j}:
 *
 * <pre>
 * mvn -B -q -Pnd4j -pl benchmarks -am package -DskipTests
 * java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar 'SaeEncode(Nd4j)?Benchmark' -wi 2 -i 3 -f 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-Xmx8g"})
@State(Scope.Benchmark)
public class SaeEncodeNd4jBenchmark {
  @Param({"577", "2885"})
  public int tokens;

  INDArray wEnc;
  INDArray bEnc;
  INDArray bDec;
  float[] z;

  @Setup(Level.Trial)
  public void setUp() {
    SaeFixture.Raw raw = SaeFixture.raw();
    wEnc = Nd4j.create(raw.wEnc(), new long[] {SaeFixture.D_IN, SaeFixture.D_SAE}, 'c');
    bEnc = Nd4j.create(raw.bEnc(), new long[] {1, SaeFixture.D_SAE}, 'c');
    bDec = Nd4j.create(raw.bDec(), new long[] {1, SaeFixture.D_IN}, 'c');
    z = SaeFixture.input(tokens);
  }

  @Benchmark
  public SparseActivations nd4j() {
    INDArray x = Nd4j.create(z, new long[] {tokens, SaeFixture.D_IN}, 'c');
    INDArray pre = x.subRowVector(bDec).mmul(wEnc).addiRowVector(bEnc);
    float[] dense = pre.data().asFloat(); // (tokens, d_sae), row-major
    SparseActivations.Builder out = SparseActivations.builder(SaeFixture.D_SAE);
    int[] ids = new int[SaeFixture.D_SAE];
    float[] vals = new float[SaeFixture.D_SAE];
    for (int row = 0; row < tokens; row++) {
      int n = 0;
      int base = row * SaeFixture.D_SAE;
      for (int j = 0; j < SaeFixture.D_SAE; j++) {
        float v = dense[base + j];
        if (v > 0f) {
          ids[n] = j;
          vals[n++] = v;
        }
      }
      out.addRow(ids, vals, n);
    }
    return out.build();
  }
}
