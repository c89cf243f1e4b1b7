package org.visualscratchpad.samples.demo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Scratchpad;

/**
 * Long runs keep memory flat: consecutive ask / ablate / regenerate cycles on the shipped demo
 * model must not grow the process's resident set (native memory included) or the heap after GC.
 * The default run does 40 cycles after 10 warm-up cycles; {@code -Pslow} (vsp.slow) does 1,000 and prints
 * the figures recorded in docs/benchmarks.md.
 */
class LongRunMemoryTest {
  private static final long MB = 1024 * 1024;
  @TempDir Path dir;

  @Test
  void forty_cycles_keep_rss_and_heap_flat() {
    run(40, 10, List.of(10, 30, 50), 48 * MB, 16 * MB);
  }

  @Test
  void a_thousand_cycles_keep_rss_and_heap_flat() {
    assumeTrue(System.getProperty("vsp.slow") != null, "slow test: run with -Pslow");
    run(1000, 0, List.of(0, 100, 500, 1000), 64 * MB, 16 * MB);
  }

  /**
   * Runs {@code warmup + cycles} cycles, sampling memory after the cycle counts in {@code marks};
   * asserts that from the second mark to the last, RSS and heap grow by less than the bounds.
   */
  private void run(int cycles, int warmup, List<Integer> marks, long rssBound, long heapBound) {
    ShippedDemo.Folders files = ShippedDemo.extract(dir.resolve("shipped"));
    List<BufferedImage> images = new ArrayList<>();
    SceneGenerator gen = new SceneGenerator();
    for (int s = 0; s < 8; s++) {
      images.add(gen.generate(100 + s, SceneDistribution.UNIFORM).image().toBufferedImage());
    }
    AskOptions options = AskOptions.defaults().withMaxNewTokens(8);
    List<long[]> samples = new ArrayList<>(); // cycle, rss, heap
    long start = System.nanoTime();
    long timedStart = 0;
    try (Scratchpad pad = Scratchpad.load(new LoadSpec(files.model(), files.sae(), files.stats(), "cpu"))) {
      int total = warmup + cycles;
      for (int cycle = 0; cycle <= total; cycle++) {
        if (marks.contains(cycle)) {
          samples.add(new long[] {cycle, rss(), heapAfterGc()});
        }
        if (cycle == warmup) {
          timedStart = System.nanoTime();
        }
        if (cycle == total) {
          break;
        }
        Answer answer = pad.ask(images.get(cycle % images.size()), "describe the image .", options);
        int latent = answer.rankLatents().top(1).get(0);
        Answer ablated = answer.ablate(latent).regenerate();
        assertFalse(ablated.generated().isEmpty());
      }
    }
    double msPerCycle = (System.nanoTime() - timedStart) / 1e6 / cycles;
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "long run: %d cycles (after %d warm-up) of ask + rankLatents + ablate(top latent).regenerate, %.1f ms per cycle, "
            + "%.1f s in all%n", cycles, warmup, msPerCycle, (System.nanoTime() - start) / 1e9));
    for (long[] s : samples) {
      report.append(String.format(Locale.ROOT, "  after %5d cycles: RSS %6.1f MB, heap after GC %6.1f MB%n",
          s[0], s[1] / (double) MB, s[2] / (double) MB));
    }
    System.out.print(report);
    long[] from = samples.get(1);
    long[] to = samples.get(samples.size() - 1);
    assertTrue(to[1] - from[1] < rssBound, "RSS grew by " + (to[1] - from[1]) / MB + " MB from cycle " + from[0]
        + " to " + to[0] + " (bound " + rssBound / MB + " MB)\n" + report);
    assertTrue(to[2] - from[2] < heapBound, "heap after GC grew by " + (to[2] - from[2]) / MB + " MB from cycle "
        + from[0] + " to " + to[0] + " (bound " + heapBound / MB + " MB)\n" + report);
  }

  /** Resident set size of this process in bytes (VmRSS of /proc/self/status), native memory included. */
  static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      throw new AssertionError("cannot read /proc/self/status", e);
    }
    throw new AssertionError("no VmRSS line in /proc/self/status");
  }

  /** Used heap after a few full collections. */
  static long heapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int k = 0; k < 4; k++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
