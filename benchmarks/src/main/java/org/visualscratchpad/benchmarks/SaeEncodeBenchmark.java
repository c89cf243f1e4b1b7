package org.visualscratchpad.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.kernel.KernelChoice;
import org.visualscratchpad.sae.kernel.SaeKernel;
import org.visualscratchpad.sae.kernel.ScalarSaeKernel;

/**
 * SAE encode of one crop (P = 577 tokens, CLIP-ViT-L/14-336) and of five crops (P = 2885,
 * LLaVA-NeXT): {@code [P x 1024] x [1024 x 32768]}, bias, ReLU, output as sparse rows, fp32.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar SaeEncodeBenchmark -wi 2 -i 3 -f 1
 * </pre>
 *
 * <p>{@code scalarReference} runs at P = 577 only, with one warm-up and two measured iterations
 * (it takes seconds per call).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-Dai.djl.offline=true", "-Xmx8g"})
public class SaeEncodeBenchmark {

  /** Weights shared by every contender, and the inputs. */
  @State(Scope.Benchmark)
  public static class Encode {
    @Param({"577", "2885"})
    public int tokens;

    SaeKernel vector;
    float[] z;
    NDManager manager;
    NDArray wEnc;
    NDArray bEnc;
    NDArray bDec;

    @Setup(Level.Trial)
    public void setUp() {
      SaeFixture.Raw raw = SaeFixture.raw();
      z = SaeFixture.input(tokens);
      manager = NDManager.newBaseManager();
      wEnc = manager.create(raw.wEnc(), new Shape(SaeFixture.D_IN, SaeFixture.D_SAE));
      bEnc = manager.create(raw.bEnc());
      bDec = manager.create(raw.bDec());
      vector = KernelChoice.VECTOR.create(raw.weights());
      SparseActivations h = vector.encode(z, tokens);
      System.out.printf("%n[setup] %s, tokens %d, density %.4f (mean L0 %.0f)%n", vector.name(), tokens,
          h.density(), h.meanL0());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      manager.close();
    }
  }

  /** The scalar reference at one crop only. */
  @State(Scope.Benchmark)
  public static class Scalar {
    @Param({"577"})
    public int tokens;

    SaeKernel scalar;
    float[] z;

    @Setup(Level.Trial)
    public void setUp() {
      scalar = new ScalarSaeKernel(SaeFixture.weights());
      z = SaeFixture.input(tokens);
    }
  }

  @Benchmark
  public SparseActivations vectorKernel(Encode s) {
    return s.vector.encode(s.z, s.tokens);
  }

  @Benchmark
  @Warmup(iterations = 1, time = 1)
  @Measurement(iterations = 2, time = 1)
  public SparseActivations scalarReference(Scalar s) {
    return s.scalar.encode(s.z, s.tokens);
  }

  /** libtorch through DJL: matmul + bias + ReLU, then the same sparse rows extracted (nonzero + values). */
  @Benchmark
  public SparseActivations libtorch(Encode s) {
    try (NDManager m = s.manager.newSubManager()) {
      NDArray x = m.create(s.z, new Shape(s.tokens, SaeFixture.D_IN));
      NDArray pre = x.sub(s.bDec).matMul(s.wEnc).add(s.bEnc);
      NDArray active = pre.gt(0f);
      long[] idx = active.nonzero().toLongArray(); // (nnz, 2): row, latent, row-major order
      float[] vals = pre.get(active).toFloatArray();
      return Sparse.fromCoordinates(s.tokens, SaeFixture.D_SAE, idx, vals);
    }
  }
}
