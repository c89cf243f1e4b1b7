package org.visualscratchpad.torch.llava;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.safetensors.TensorInfo;
import org.visualscratchpad.torch.cpu.CpuThreads;
import org.visualscratchpad.torch.cpu.PackedWeight;

/**
 * Before any weight is read: what loading a checkpoint of any family and answering one question will need
 * (weights in the chosen precision, the KV cache, the activations of the largest image, whose crops and
 * tokens the family's {@code ImageBudget} gives), from the shard headers and {@code config.json} alone, compared with what this process can get (the Java heap
 * limit for the CPU engine, whose weights live on the heap; the memory the system has available; a
 * cgroup limit). A model that cannot fit is refused at once, with the figures and what to do, instead
 * of being killed by the system part-way through loading.
 *
 * @param weights bytes of weights as they will be held
 * @param kvCache bytes of the KV cache of one request
 * @param activations bytes of the largest transient activations of one request
 * @param heapLimit the Java heap limit (-Xmx)
 * @param heapUsed heap in use now
 * @param systemAvailable memory the system can give (MemAvailable, or the cgroup's room if smaller)
 */
public record Preflight(long weights, long kvCache, long activations, long heapLimit, long heapUsed,
    long systemAvailable) {

  /** Fixed allowance for the JVM, the tokenizer, images and analysis results. */
  static final long OVERHEAD = 512L << 20;
  /** Tokens of text assumed around the image for the estimate. */
  static final int TEXT_TOKENS = 128;
  /** New tokens assumed for the estimate. */
  static final int NEW_TOKENS = 64;

  /** Everything one request needs. */
  public long needed() {
    return weights + kvCache + activations + OVERHEAD;
  }

  /**
   * Estimates {@code folder}'s needs on the CPU engine ({@code cpuEngine}, weights on the heap in
   * {@code as}, null = as stored) or on libtorch (float32 weights in native memory).
   */
  static Preflight estimate(org.visualscratchpad.torch.family.VlmFamily family,
      org.visualscratchpad.torch.family.VlmConfig cfg, Map<String, TensorInfo> headers, PackedWeight.Storage as,
      boolean cpuEngine) {
    long weights = 0;
    for (TensorInfo t : headers.values()) {
      int bytes = !cpuEngine ? 4 : t.shape().size() < 2 ? 4 : as != null ? as.bytes()
          : switch (t.dtype()) {
            case F16, BF16 -> 2;
            default -> 4;
          };
      weights = Math.addExact(weights, Math.multiplyExact(t.numel(), bytes));
    }
    var v = cfg.vision();
    var l = cfg.text();
    org.visualscratchpad.torch.family.ImageBudget budget = family.budget(cfg);
    int crops = budget.crops();
    int imageTokens = budget.imageTokens();
    long tokens = (long) imageTokens + TEXT_TOKENS + NEW_TOKENS;
    long kvd = (long) l.numKeyValueHeads() * l.headDim();
    long kv = 2L * 4L * l.numLayers() * tokens * kvd;
    // a family whose patches merge into tokens (Qwen2-VL, 4 a token) budgets the rows of the image it budgets
    long rowsV = Math.min((long) crops * v.tokensPerCrop(), 4L * imageTokens);
    long vision = 4L * rowsV * (6L * v.hiddenSize() + v.intermediateSize());
    long qd = (long) l.numHeads() * l.headDim();
    long lm = 4L * tokens * (4L * l.hiddenSize() + 2 * qd + 2 * kvd + 2L * l.intermediateSize())
        + 4L * CpuThreads.threads() * 32 * tokens * 2;
    long activations = Math.max(vision, lm) + 4L * l.vocabSize() * 4;
    if (!cpuEngine) {
      // libtorch's eager attention holds every head's scores of a layer, and the call keeps its intermediates
      activations = 3 * activations + 4L * l.numHeads() * tokens * tokens * 2;
    }
    Runtime rt = Runtime.getRuntime();
    return new Preflight(weights, kv, activations, rt.maxMemory(), rt.totalMemory() - rt.freeMemory(),
        availableToSystem());
  }

  /** Whether the request fits: within the heap (CPU engine) and within the system's available memory. */
  boolean fits(boolean cpuEngine) {
    long need = needed();
    if (cpuEngine && need > heapLimit - heapUsed) {
      return false;
    }
    long system = cpuEngine ? need - Math.min(need, committedHeapFree()) : need;
    return systemAvailable <= 0 || system <= systemAvailable;
  }

  private static long committedHeapFree() {
    return Runtime.getRuntime().freeMemory();
  }

  /**
   * Refuses {@code folder} when it cannot fit.
   *
   * @throws ScratchpadException naming the model, the bytes needed and available, and what to do
   */
  void check(Path folder, boolean cpuEngine, String dtype) {
    if (Boolean.getBoolean("vsp.preflight.skip") || fits(cpuEngine)) {
      return;
    }
    StringBuilder why = new StringBuilder();
    why.append(String.format(Locale.ROOT, "%s does not fit in this process: loading it and answering one question "
            + "needs about %s (weights %s%s, KV cache %s, activations %s, runtime %s) but ",
        folder, gib(needed()), gib(weights), cpuEngine ? " as held by the cpu engine" : " as float32 on libtorch",
        gib(kvCache), gib(activations), gib(OVERHEAD)));
    if (cpuEngine) {
      why.append(String.format(Locale.ROOT, "the Java heap limit is %s (%s in use) and the system has %s available. ",
          gib(heapLimit), gib(heapUsed), gib(systemAvailable)));
    } else {
      why.append(String.format(Locale.ROOT, "the system has %s available. ", gib(systemAvailable)));
    }
    long heapNeeded = ((needed() + heapUsed) >> 30) + 2;
    if (cpuEngine && needed() <= systemAvailable) {
      why.append("Give the JVM a larger heap: -Xmx").append(heapNeeded).append("g (bin/vsp: VSP_JAVA_OPTS=-Xmx")
          .append(heapNeeded).append("g).");
    } else {
      why.append("Use a machine with more memory or a GPU (--device gpu)");
      if (cpuEngine && (dtype == null || dtype.equals("auto") || dtype.equals("f32"))) {
        why.append(", or keep the weights in half precision (--dtype bf16) if the checkpoint is float32");
      }
      why.append('.');
    }
    throw new ScratchpadException(why.toString());
  }

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }

  /** MemAvailable, capped by a cgroup v2 limit if one is set; 0 if unknown. */
  static long availableToSystem() {
    long avail = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) {
          avail = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    try {
      Path max = Path.of("/sys/fs/cgroup/memory.max");
      Path cur = Path.of("/sys/fs/cgroup/memory.current");
      if (Files.isReadable(max) && Files.isReadable(cur)) {
        String m = Files.readString(max).strip();
        if (!m.equals("max")) {
          long room = Long.parseLong(m) - Long.parseLong(Files.readString(cur).strip());
          avail = avail == 0 ? room : Math.min(avail, room);
        }
      }
    } catch (IOException | RuntimeException e) {
      // no cgroup limit readable: MemAvailable stands
    }
    return avail;
  }

  @Override
  public String toString() {
    return "Preflight[needs " + gib(needed()) + " (weights " + gib(weights) + ", KV " + gib(kvCache) + ", activations "
        + gib(activations) + "), heap limit " + gib(heapLimit) + ", system available " + gib(systemAvailable) + "]";
  }
}
