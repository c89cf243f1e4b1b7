package org.visualscratchpad.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.util.LongAccumulator;
import org.visualscratchpad.sae.stats.ImageDecoding;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.sae.stats.StatisticsOptions;
import org.visualscratchpad.sae.stats.StatisticsRun;
import org.visualscratchpad.spark.cache.ActivationCache;

/**
 * One partition's work on an executor: every image through {@link StatisticsRun#encode} (decode within
 * the limits, the tower up to the hook, the SAE) into one {@link LatentStatistics} accumulator for the
 * partition; the model comes from {@link EncoderLoader} (one per executor). Bad images are counted and
 * listed, never thrown. Optionally writes the codes to the activation cache.
 */
final class EncodePartition implements Function2<Integer, Iterator<ImageRecord>, Iterator<PartialResult>> {
  private static final long serialVersionUID = 1L;

  private final EncoderLoader loader;
  private final int topK;
  private final boolean includeCls;
  private final long maxBytes;
  private final long maxPixels;
  private final String cacheDir;
  private final LongAccumulator done;

  EncodePartition(EncoderLoader loader, StatisticsOptions options, ImageDecoding.Limits limits, Path cacheDir,
      LongAccumulator done) {
    this.loader = loader;
    this.topK = options.topK();
    this.includeCls = options.includeCls();
    this.maxBytes = limits.maxBytes();
    this.maxPixels = limits.maxPixels();
    this.cacheDir = cacheDir == null ? null : cacheDir.toAbsolutePath().toString();
    this.done = done;
  }

  @Override
  public Iterator<PartialResult> call(Integer partition, Iterator<ImageRecord> records) {
    EncoderLoader.Loaded model = loader.get(device());
    ImageDecoding.Limits limits = new ImageDecoding.Limits(maxBytes, maxPixels);
    LatentStatistics stats = new LatentStatistics(model.sae().dSae(), new StatisticsOptions(topK, includeCls));
    List<String[]> skipped = new ArrayList<>();
    long images = 0;
    long read = 0;
    long encode = 0;
    long add = 0;
    try (ActivationCache.Writer cache = cacheDir == null ? null
        : ActivationCache.writer(Path.of(cacheDir), partition, model.sae().dSae(), model.sae().config().hookPoint())) {
      while (records.hasNext()) {
        ImageRecord r = records.next();
        String reason = r.problem();
        if (reason == null) {
          long t0 = System.nanoTime();
          byte[] bytes = r.bytes();
          if (bytes == null) {
            String[] why = new String[1];
            bytes = ImageDecoding.readFile(Path.of(r.file()), limits, why);
            reason = why[0];
          }
          long t1 = System.nanoTime();
          read += t1 - t0;
          if (bytes != null) {
            StatisticsRun.Encoded e = StatisticsRun.encode(model.tower(), model.sae(), bytes, r.id(), r.label(), limits);
            long t2 = System.nanoTime();
            encode += t2 - t1;
            if (e.ok()) {
              stats.add(e.activations());
              images++;
              add += System.nanoTime() - t2;
              if (cache != null) {
                cache.add(e.activations());
              }
            } else {
              reason = e.skipReason();
            }
          }
        }
        if (reason != null) {
          skipped.add(new String[] {r.source(), reason});
        }
        if (done != null) {
          done.add(1);
        }
      }
    }
    long t = System.nanoTime();
    byte[] bytes = stats.toBytes();
    long serialize = System.nanoTime() - t;
    return List.of(new PartialResult(bytes, skipped, images, read, encode, add, serialize)).iterator();
  }

  /**
   * The device for this task: a GPU that Spark's resource scheduling assigned to it ({@code gpu} with
   * a task GPU request), else the configured device.
   */
  private String device() {
    String configured = loader.device();
    TaskContext task = TaskContext.get();
    if (task != null && configured.equals("gpu")) {
      ResourceInformation gpu = task.resources().contains("gpu") ? task.resources().apply("gpu") : null;
      if (gpu != null && gpu.addresses().length > 0) {
        return "gpu:" + gpu.addresses()[0];
      }
    }
    return configured;
  }
}
