package org.visualscratchpad.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.kernel.KernelChoice;
import org.visualscratchpad.sae.kernel.SaeKernel;

/**
 * The encode contenders of {@link SaeEncodeBenchmark} run alternately in one process (vector kernel,
 * libtorch, vector kernel, ...), so that on a shared, busy machine both see the same load. Prints,
 * per contender, the median wall time and the median process CPU time per call, and their ratios.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Dai.djl.offline=true -Xmx8g -cp benchmarks/target/benchmarks.jar \
 *     org.visualscratchpad.benchmarks.SaeEncodeInterleaved 577 7
 * </pre>
 */
public final class SaeEncodeInterleaved {
  private SaeEncodeInterleaved() {}

  public static void main(String[] args) {
    int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 577;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    SaeFixture.Raw raw = SaeFixture.raw();
    float[] z = SaeFixture.input(tokens);
    double flop = 2.0 * tokens * SaeFixture.D_IN * SaeFixture.D_SAE;
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray wEnc = manager.create(raw.wEnc(), new Shape(SaeFixture.D_IN, SaeFixture.D_SAE));
      NDArray bEnc = manager.create(raw.bEnc());
      NDArray bDec = manager.create(raw.bDec());
      SaeKernel vector = KernelChoice.VECTOR.create(raw.weights());
      double[][] wall = new double[2][rounds];
      double[][] cpu = new double[2][rounds];
      for (int round = -1; round < rounds; round++) { // round -1 warms up both
        for (int c = 0; c < 2; c++) {
          long c0 = os.getProcessCpuTime();
          long t0 = System.nanoTime();
          SparseActivations h;
          if (c == 0) {
            h = vector.encode(z, tokens);
          } else {
            try (NDManager m = manager.newSubManager()) {
              NDArray x = m.create(z, new Shape(tokens, SaeFixture.D_IN));
              NDArray pre = x.sub(bDec).matMul(wEnc).add(bEnc);
              NDArray active = pre.gt(0f);
              h = Sparse.fromCoordinates(tokens, SaeFixture.D_SAE, active.nonzero().toLongArray(),
                  pre.get(active).toFloatArray());
            }
          }
          long t1 = System.nanoTime();
          long c1 = os.getProcessCpuTime();
          if (round >= 0) {
            wall[c][round] = (t1 - t0) / 1e6;
            cpu[c][round] = (c1 - c0) / 1e6;
          }
          System.out.printf(Locale.ROOT, "round %d %-12s wall %8.0f ms  cpu %8.0f ms  nnz %d%n", round,
              c == 0 ? "vectorKernel" : "libtorch", (t1 - t0) / 1e6, (c1 - c0) / 1e6, h.nnz());
        }
      }
      double vw = median(wall[0]);
      double tw = median(wall[1]);
      double vc = median(cpu[0]);
      double tc = median(cpu[1]);
      System.out.printf(Locale.ROOT, "P=%d, %d rounds, %s%n", tokens, rounds, vector.name());
      System.out.printf(Locale.ROOT, "vectorKernel median wall %.0f ms (%.1f GFLOP/s), cpu %.0f ms (%.1f GFLOP per cpu-s)%n",
          vw, flop / vw / 1e6, vc, flop / vc / 1e6);
      System.out.printf(Locale.ROOT, "libtorch     median wall %.0f ms (%.1f GFLOP/s), cpu %.0f ms (%.1f GFLOP per cpu-s)%n",
          tw, flop / tw / 1e6, tc, flop / tc / 1e6);
      System.out.printf(Locale.ROOT, "speed-up of vectorKernel over libtorch: wall %.2fx, cpu time %.2fx%n", tw / vw,
          tc / vc);
    }
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
