package org.visualscratchpad.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.sae.stats.StatisticsRun;
import org.visualscratchpad.torch.family.VisionEncoders;
import org.visualscratchpad.vision.VisionEncoder;

/**
 * Loads the vision tower (up to the SAE's hook) and the SAE once per executor JVM, the pattern of
 * DJL's Spark extension: this object is serialized into every task with only the paths and settings;
 * the loaded model lives in a {@code transient} field, filled on first use from a JVM-wide cache keyed
 * by those settings, so that the tasks of one executor (and every partition they run) share one model.
 * The tower and the SAE are thread-safe; each partition keeps its own statistics accumulator.
 */
final class EncoderLoader implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A loaded tower and SAE. */
  record Loaded(VisionEncoder tower, SparseAutoencoder sae) {}

  private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();

  private final String model;
  private final String sae;
  private final String device;
  private final String dtype;
  private transient Loaded loaded;

  EncoderLoader(Path model, Path sae, String device, String dtype) {
    this.model = model.toAbsolutePath().toString();
    this.sae = sae.toAbsolutePath().toString();
    this.device = device;
    this.dtype = dtype;
  }

  /** The model, loaded on first use in this JVM for {@code onDevice} (e.g. the GPU Spark assigned the task). */
  Loaded get(String onDevice) {
    Loaded l = loaded;
    if (l == null) {
      String key = model + "\u0000" + sae + "\u0000" + onDevice + "\u0000" + dtype;
      l = LOADED.computeIfAbsent(key, k -> load(onDevice));
      loaded = l;
    }
    return l;
  }

  /** The configured device ({@code cpu}, {@code torch:cpu}, {@code gpu}, {@code gpu:N}). */
  String device() {
    return device;
  }

  private Loaded load(String onDevice) {
    SparseAutoencoder autoencoder = SaeLoader.load(Path.of(sae));
    Path folder = Path.of(model);
    // the tower only up to the SAE's hook (every registered family on the CPU engine), as vsp stats
    VisionEncoder tower = VisionEncoders.open(folder, autoencoder.config().hookPoint(), onDevice, dtype);
    StatisticsRun.checkCompatible(tower, autoencoder);
    return new Loaded(tower, autoencoder);
  }

  /** How many models this JVM holds (tests: one per executor, however many tasks ran). */
  static int loadedInThisJvm() {
    return LOADED.size();
  }
}
