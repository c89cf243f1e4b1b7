package org.visualscratchpad.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
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
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.kernel.KernelChoice;
import org.visualscratchpad.sae.kernel.PureJavaSae;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * SAE decode and edits for one crop (P = 577 tokens, d_sae 32768, d_in 1024, fp32): sparse decode
 * (CSR row gather) against a dense {@code h W_dec} in libtorch (the best dense contender here), at
 * 1 % and 5 % density; and the edit {@code z' = z + (h' - h) W_dec} of 32 latents set on every
 * patch row (the worst case of an edit: it touches every row).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar SaeEditBenchmark -wi 2 -i 3 -f 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-Dai.djl.offline=true", "-Xmx8g"})
@State(Scope.Benchmark)
public class SaeEditBenchmark {
  static final int TOKENS = 577;

  @Param({"0.01", "0.05"})
  public double density;

  PureJavaSae sae;
  SparseActivations codes;
  FloatMatrix z;
  InterventionPlan steer32;
  NDManager manager;
  NDArray wDec;
  NDArray bDec;
  NDArray denseCodes;

  @Setup(Level.Trial)
  public void setUp() {
    SaeFixture.Raw raw = SaeFixture.raw();
    sae = PureJavaSae.create(raw.weights(), KernelChoice.VECTOR);
    codes = SaeFixture.codes(TOKENS, density, SaeFixture.SEED + 1);
    z = FloatMatrix.adopt(TOKENS, SaeFixture.D_IN, SaeFixture.input(TOKENS));
    List<Integer> latents = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      latents.add(i * 997 % SaeFixture.D_SAE);
    }
    steer32 = InterventionPlan.of(LatentIntervention.setValue(latents, 5f, TokenScope.patchesOnly()));
    manager = NDManager.newBaseManager();
    wDec = manager.create(raw.wDec(), new Shape(SaeFixture.D_SAE, SaeFixture.D_IN));
    bDec = manager.create(raw.bDec());
    float[] dense = new float[TOKENS * SaeFixture.D_SAE];
    for (int row = 0; row < TOKENS; row++) {
      for (int i = codes.rowStart(row); i < codes.rowEnd(row); i++) {
        dense[row * SaeFixture.D_SAE + codes.latentAt(i)] = codes.valueAt(i);
      }
    }
    denseCodes = manager.create(dense, new Shape(TOKENS, SaeFixture.D_SAE));
    System.out.printf("%n[setup] %s, density %.4f%n", sae, codes.density());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  /** h W_dec + b_dec as a CSR row gather (Vector API). */
  @Benchmark
  public FloatMatrix sparseDecode() {
    return sae.decode(codes);
  }

  /** Dense h W_dec + b_dec in libtorch (MKL sgemm), h already in native memory; result copied to Java. */
  @Benchmark
  public float[] denseDecodeLibtorch() {
    NDArray product = denseCodes.matMul(wDec);
    NDArray out = product.add(bDec);
    try {
      return out.toFloatArray();
    } finally {
      out.close();
      product.close();
    }
  }

  /** z' = z + (h' - h) W_dec for 32 latents set on every patch row (error term kept). */
  @Benchmark
  public FloatMatrix edit32Latents() {
    return sae.intervene(z, codes, 0, steer32);
  }
}
