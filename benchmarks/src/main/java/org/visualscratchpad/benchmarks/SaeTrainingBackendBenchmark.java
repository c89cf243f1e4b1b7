package org.visualscratchpad.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
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
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.train.SaeTrainer;
import org.visualscratchpad.sae.train.TrainingConfig;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * One full training step of a vanilla ReLU SAE (forward, MSE + L1, backward, unit-norm projection,
 * Adam, renormalisation) on the two candidate backends: the project's Java trainer ({@link
 * SaeTrainer}, hand-written sparse backward) and DJL autograd on libtorch (dense, the same maths).
 * Inputs are seeded Gaussian activations; the SAE starts from the same kind of random init.
 *
 * <pre>
 *   mvn -B -q -pl benchmarks -am package -DskipTests
 *   java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar SaeTrainingBackend \
 *       -p shape=1024x1024x8192 -jvmArgsAppend "--add-modules jdk.incubator.vector -Dai.djl.offline=true -Xmx12g"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "-Dai.djl.offline=true", "-Xmx12g"})
public class SaeTrainingBackendBenchmark {
  private static final long SEED = 1234L;

  /** {@code batch x d_in x d_sae}. */
  @Param({"1024x1024x8192"})
  public String shape;

  private int batch;
  private int dIn;
  private int dSae;
  private FloatMatrix x;
  private SaeTrainer trainer;
  private SaeTrainer topK;

  private NDManager manager;
  private NDArray xNd;
  private NDArray[] params; // wEnc [d_in x d_sae], bEnc, wDec [d_sae x d_in], bDec
  private NDArray[] m;
  private NDArray[] v;
  private long djlStep;

  @Setup(Level.Trial)
  public void setUp() {
    String[] s = shape.split("x");
    batch = Integer.parseInt(s[0]);
    dIn = Integer.parseInt(s[1]);
    dSae = Integer.parseInt(s[2]);
    SplittableRandom rnd = new SplittableRandom(SEED);
    float[] data = new float[batch * dIn];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble()));
    }
    x = FloatMatrix.adopt(batch, dIn, data);
    trainer = SaeTrainer.create(TrainingConfig.paperDefaults(dIn, HookPoint.visionResidPost(22)).withDSae(dSae)
        .withTotalSteps(1_000_000).withSeed(SEED));
    trainer.step(x); // initialises b_dec
    topK = SaeTrainer.create(TrainingConfig.paperDefaults(dIn, HookPoint.visionResidPost(22)).withDSae(dSae)
        .withTopK(64).withTotalSteps(1_000_000).withSeed(SEED));
    topK.step(x);

    manager = Engine.getEngine("PyTorch").newBaseManager();
    xNd = manager.create(data, new Shape(batch, dIn));
    NDArray wDec = manager.randomNormal(new Shape(dSae, dIn));
    wDec = wDec.div(wDec.norm(new int[] {1}, true));
    NDArray wEnc = wDec.transpose().duplicate();
    params = new NDArray[] {wEnc, manager.zeros(new Shape(dSae)), wDec, xNd.mean(new int[] {0})};
    m = new NDArray[4];
    v = new NDArray[4];
    for (int i = 0; i < 4; i++) {
      params[i].setRequiresGradient(true);
      m[i] = params[i].zerosLike();
      v[i] = params[i].zerosLike();
    }
  }

  /**
   * Alternates the three steps {@code rounds} times after one warm-up round and prints each
   * timing and the medians: on a shared machine, alternation keeps the load the same for all.
   * Arguments: shape (e.g. {@code 4096x1024x32768}) and rounds.
   */
  public static void main(String[] args) {
    SaeTrainingBackendBenchmark b = new SaeTrainingBackendBenchmark();
    b.shape = args.length > 0 ? args[0] : "1024x1024x8192";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    b.setUp();
    String[] names = {"java-relu", "java-topk64", "djl-relu"};
    long[][] ms = new long[3][rounds];
    for (int r = -1; r < rounds; r++) {
      for (int which = 0; which < 3; which++) {
        long t0 = System.nanoTime();
        double loss = which == 0 ? b.javaHandWrittenBackward() : which == 1 ? b.javaHandWrittenBackwardTopK64()
            : b.djlAutogradLibtorch();
        long t = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("round %d %-12s %7d ms  loss %.4g%n", r, names[which], t, loss);
        if (r >= 0) {
          ms[which][r] = t;
        }
      }
    }
    for (int which = 0; which < 3; which++) {
      long[] sorted = ms[which].clone();
      java.util.Arrays.sort(sorted);
      System.out.printf("median %-12s %7d ms over %d rounds (shape %s, kernel %s)%n", names[which],
          sorted[rounds / 2], rounds, b.shape, b.trainer.kernelName());
    }
    b.tearDown();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    trainer.close();
    topK.close();
    manager.close();
  }

  @Benchmark
  public double javaHandWrittenBackward() {
    return trainer.step(x).loss();
  }

  /**
   * The Java trainer at 64 active latents per row: the cost of a step once an SAE is sparse (the
   * backward pass scales with the active entries, whatever the activation function).
   */
  @Benchmark
  public double javaHandWrittenBackwardTopK64() {
    return topK.step(x).loss();
  }

  @Benchmark
  public double djlAutogradLibtorch() {
    double lr = 1e-4;
    double b1 = 0.9;
    double b2 = 0.999;
    double l1 = 8e-5;
    djlStep++;
    try (NDScope scope = new NDScope()) {
      float lossValue;
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray xc = xNd.sub(params[3]);
        NDArray h = xc.matMul(params[0]).add(params[1]).clip(0f, Float.MAX_VALUE);
        NDArray xHat = h.matMul(params[2]).add(params[3]);
        NDArray mse = xHat.sub(xNd).square().sum(new int[] {1}).mean();
        NDArray loss = mse.add(h.sum(new int[] {1}).mean().mul((float) l1));
        gc.backward(loss);
        lossValue = loss.getFloat();
      }
      NDArray wDec = params[2];
      NDArray gDec = wDec.getGradient();
      // remove the gradient parallel to each (unit) decoder row
      gDec.subi(wDec.mul(gDec.mul(wDec).sum(new int[] {1}, true)));
      double c1 = 1 - Math.pow(b1, djlStep);
      double c2 = 1 - Math.pow(b2, djlStep);
      float stepSize = (float) (lr * Math.sqrt(c2) / c1);
      for (int i = 0; i < 4; i++) {
        NDArray g = i == 2 ? gDec : params[i].getGradient();
        m[i].muli((float) b1).addi(g.mul((float) (1 - b1)));
        v[i].muli((float) b2).addi(g.square().muli((float) (1 - b2)));
        NDArray update = m[i].div(v[i].sqrt().addi(1e-8f)).muli(stepSize);
        params[i].setRequiresGradient(false);
        params[i].subi(update);
      }
      params[2].divi(params[2].norm(new int[] {1}, true));
      for (int i = 0; i < 4; i++) {
        params[i].setRequiresGradient(true);
      }
      return lossValue;
    }
  }
}
