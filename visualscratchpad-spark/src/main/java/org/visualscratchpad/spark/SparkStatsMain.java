package org.visualscratchpad.spark;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.sae.NoisyLatents;
import org.visualscratchpad.sae.stats.ImageDecoding;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.sae.stats.StatisticsOptions;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vsp stats --spark MASTER ...} and the {@code spark-submit} main class: per-latent statistics
 * of an SAE over an image folder, a CSV list, WebDataset tar shards or Hugging Face Parquet files,
 * as a Spark job; the output folder is the one {@code vsp stats} writes, byte for byte.
 *
 * <pre>
 *   bin/vsp stats --spark 'local[*]' --model clip --sae sae --tar 'shards/train-{000000..000146}.tar' --out stats
 *   spark-submit --class org.visualscratchpad.spark.SparkStatsMain --master yarn \
 *     visualscratchpad-spark-0.1.0-SNAPSHOT-cluster.jar --model /shared/clip --sae /shared/sae \
 *     --parquet hdfs:///datasets/imagenet/train --out /shared/stats
 * </pre>
 */
@Command(name = "vsp stats --spark", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Per-latent statistics of an SAE over an image dataset as an Apache Spark job: the same output folder",
        "as vsp stats (latent_stats.json, latent_stats.safetensors, skipped.txt), bit for bit."})
public final class SparkStatsMain implements Callable<Integer> {

  static final class Input {
    @Option(names = "--images", paramLabel = "DIR", description = "Image folder; sub-folders are labels.")
    Path folder;

    @Option(names = "--csv", paramLabel = "FILE", description = "CSV of path,label (paths relative to the CSV).")
    Path csv;

    @Option(names = "--tar", paramLabel = "SHARDS", arity = "1..*",
        description = "WebDataset tar shards: files, folders, globs (shards/*.tar) or brace ranges (train-{000000..000146}.tar).")
    List<String> tar;

    @Option(names = "--parquet", paramLabel = "PATH", arity = "1..*",
        description = "Parquet files or folders as Hugging Face datasets exports them.")
    List<String> parquet;
  }

  @Option(names = "--spark", paramLabel = "MASTER", description = "Spark master (local[*], spark://host:7077, yarn, ...); "
      + "omit under spark-submit, which sets it.")
  String master;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "CLIP, LLaVA-1.5 or LLaVA-NeXT model folder; every executor must read it at this path.")
  Path model;

  @Option(names = "--sae", required = true, paramLabel = "PATH", description = "SAE folder (SAELens) or PatchSAE file.")
  Path sae;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (on the driver).")
  Path out;

  @Option(names = "--top-k", defaultValue = "20", description = "Top images kept per latent. Default: ${DEFAULT-VALUE}.")
  int topK;

  @Option(names = "--exclude-cls", description = "Do not count the CLS token (default: counted, as PatchSAE).")
  boolean excludeCls;

  @Option(names = "--noisy-percent", defaultValue = "2", description = "Noisy-latent cut on each axis, in percent. Default: ${DEFAULT-VALUE}.")
  double noisyPercent;

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE", description = "cpu (the CPU engine), "
      + "torch:cpu, gpu (the GPU Spark assigns each task) or gpu:N. Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(names = "--dtype", defaultValue = "auto", description = "Weights on the CPU engine: auto, f32, bf16, f16. Default: ${DEFAULT-VALUE}.")
  String dtype;

  @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
      description = "Partitions (0: one per tar shard, Spark's Parquet splits, for folders one per core or per 1000 images). "
          + "Results do not depend on it.")
  int partitions;

  @Option(names = "--cache-activations", paramLabel = "DIR",
      description = "Also write each image's SAE codes as sharded safetensors files (read them with ActivationCache.read).")
  Path cache;

  @Option(names = "--image-column", defaultValue = "image", description = "Parquet image column. Default: ${DEFAULT-VALUE}.")
  String imageColumn;

  @Option(names = "--label-column", defaultValue = "label", description = "Parquet label column. Default: ${DEFAULT-VALUE}.")
  String labelColumn;

  @Option(names = "--id-column", description = "Parquet image id column (default: the image's path, else the SHA-256 of its bytes).")
  String idColumn;

  @Option(names = "--max-image-bytes", defaultValue = "67108864", paramLabel = "N",
      description = "Larger image files are skipped and listed. Default: ${DEFAULT-VALUE} (64 MiB).")
  long maxImageBytes;

  @Option(names = "--max-pixels", defaultValue = "100000000", paramLabel = "N",
      description = "Images whose header declares more pixels are skipped and listed. Default: ${DEFAULT-VALUE}.")
  long maxPixels;

  @Option(names = "--timings", description = "Print where the time went (encoder, aggregation share, images/s).")
  boolean timings;

  @Option(names = "--verbose", description = "Show Spark's own log lines (INFO).")
  boolean verbose;

  /** Whether the output goes to an interactive terminal (progress is drawn only there, never into a log). */
  static boolean onTerminal() {
    java.io.Console console = System.console();
    if (console == null || "dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    try {
      // JDK 22+: System.console() is non-null even when redirected; isTerminal() tells
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // JDK 17-21: a console exists only on a terminal
    }
  }

  /** spark-submit entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Parses and runs; returns the exit code (0 done, 2 bad input, 1 other failure). */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new SparkStatsMain());
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      Throwable cause = ex;
      while (cause != null && !(cause instanceof ScratchpadException)) {
        cause = cause.getCause();
      }
      if (cause != null) {
        line.getErr().println("error: " + cause.getMessage());
        return 2;
      }
      throw ex;
    });
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    if (!verbose) {
      SparkSessions.quiet();
    }
    DatasetSource source;
    if (input.folder != null) {
      source = new DatasetSource.Folder(input.folder);
    } else if (input.csv != null) {
      source = new DatasetSource.Csv(input.csv);
    } else if (input.tar != null) {
      source = new DatasetSource.Tar(input.tar);
    } else {
      source = new DatasetSource.Parquet(input.parquet, imageColumn, labelColumn, idColumn);
    }
    SparkStats.Job job = SparkStats.Job.of(model, sae).withDevice(device, dtype)
        .withOptions(new StatisticsOptions(topK, !excludeCls)).withLimits(new ImageDecoding.Limits(maxImageBytes, maxPixels))
        .withCache(cache).withPartitions(partitions);
    SparkSession spark = SparkSessions.create(master, "vsp stats");
    try {
      SparkStats.Result r = SparkStats.run(spark, source, job, out, onTerminal() ? System.err : null);
      LatentStatistics stats = r.statistics();
      NoisyLatents noisy = stats.noisyLatents(noisyPercent);
      System.out.println(stats);
      System.out.println(noisy);
      System.out.printf(Locale.ROOT, "%d images counted, %d skipped (listed in %s); statistics in %s%n", stats.images(),
          r.skipped().size(), out.resolve("skipped.txt"), out);
      if (cache != null) {
        System.out.println("SAE codes per image in " + cache + " (ActivationCache.read)");
      }
      if (timings) {
        System.out.println("timings: " + r.timings());
      }
      return 0;
    } finally {
      spark.stop();
    }
  }

}
