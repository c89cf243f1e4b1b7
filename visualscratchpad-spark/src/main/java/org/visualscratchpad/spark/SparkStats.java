package org.visualscratchpad.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.stats.ImageDecoding;
import org.visualscratchpad.sae.stats.ImageEntry;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.sae.stats.SkippedImage;
import org.visualscratchpad.sae.stats.StatisticsOptions;
import org.visualscratchpad.sae.stats.StatisticsRun;
import org.visualscratchpad.spark.cache.ActivationCache;
import scala.Tuple2;

/**
 * {@code vsp stats} as an Apache Spark job: the same per-image step as the single-machine run
 * ({@link StatisticsRun#encode}: decode within limits, the vision tower only up to the SAE's hook,
 * the SAE), one {@link LatentStatistics} accumulator per partition, partial results merged exactly
 * ({@link LatentStatistics#merge}: fixed-point integer sums, order-free maxima, top-k ties broken by
 * image id). The statistics folder it writes is byte-identical to the single-machine run's for any
 * number of partitions or executors and any image order (tested on {@code local[2]}).
 *
 * <pre>{@code
 * SparkStats.Result r = SparkStats.run(spark, new DatasetSource.Tar(List.of("shards/*.tar")),
 *     SparkStats.Job.of(Path.of("clip"), Path.of("sae")), Path.of("stats"));
 * }</pre>
 *
 * <p>The model is loaded once per executor JVM ({@link EncoderLoader}) and once on the driver, which
 * checks the files before any task starts (in local mode the executors share the driver's copy).
 */
public final class SparkStats {
  /**
   * Images per partition that folders and CSV lists aim at (at least one partition per core): each
   * partition's partial statistics cost one serialization and one merge (at d_sae 32,768 with full
   * top-20 lists a partial is up to hundreds of MB), which a thousand images amortise.
   */
  static final int IMAGES_PER_PARTITION = 1000;

  private SparkStats() {}

  /**
   * What to compute.
   *
   * @param model a CLIP, LLaVA-1.5 or LLaVA-NeXT folder (every executor must read it at this path)
   * @param sae the SAE (SAELens folder or PatchSAE file)
   * @param device {@code cpu} (the CPU engine), {@code torch:cpu}, {@code gpu} (the GPU Spark assigns the
   *     task, else GPU 0) or {@code gpu:N}
   * @param dtype {@code auto}, {@code f32}, {@code bf16}, {@code f16} (CPU engine)
   * @param options top-k and CLS counting, as {@code vsp stats}
   * @param limits the largest image file and pixel count decoded
   * @param cacheDir where to write the SAE codes per image ({@link ActivationCache}), or null
   * @param partitions partitions to split the images into; 0: one per tar shard, Spark's Parquet splits,
   *     or for folders and CSV lists one per core or per 1,000 images, whichever gives more
   */
  public record Job(Path model, Path sae, String device, String dtype, StatisticsOptions options,
      ImageDecoding.Limits limits, Path cacheDir, int partitions) {
    public Job {
      InvalidInputException.check(model != null && sae != null, "model and SAE must be given");
      InvalidInputException.check(partitions >= 0, "partitions (%s) must be >= 0", partitions);
    }

    /** The defaults of {@code vsp stats}: CPU engine, stored precision, top 20, CLS counted. */
    public static Job of(Path model, Path sae) {
      return new Job(model, sae, "cpu", "auto", StatisticsOptions.defaults(), ImageDecoding.Limits.defaults(), null, 0);
    }

    public Job withOptions(StatisticsOptions o) {
      return new Job(model, sae, device, dtype, o, limits, cacheDir, partitions);
    }

    public Job withLimits(ImageDecoding.Limits l) {
      return new Job(model, sae, device, dtype, options, l, cacheDir, partitions);
    }

    public Job withCache(Path dir) {
      return new Job(model, sae, device, dtype, options, limits, dir, partitions);
    }

    public Job withPartitions(int n) {
      return new Job(model, sae, device, dtype, options, limits, cacheDir, n);
    }

    public Job withDevice(String d, String t) {
      return new Job(model, sae, d, t, options, limits, cacheDir, partitions);
    }
  }

  /**
   * Where the time went, summed over tasks (nanoseconds) and measured on the driver.
   *
   * @param images images counted
   * @param skipped images skipped
   * @param partitions partitions run
   * @param wallNanos the whole job on the driver, the first pass and the writing included
   * @param jobNanos the encode job alone (tasks and merges), what images/s is measured over
   * @param readNanos reading image files on the executors (bytes from tar and Parquet come with the records)
   * @param encodeNanos decoding, the tower up to the hook and the SAE encode
   * @param addNanos adding codes to the partition accumulators
   * @param mergeNanos serializing partial results and merging them (tasks and driver)
   */
  public record Timings(long images, long skipped, int partitions, long wallNanos, long jobNanos, long readNanos,
      long encodeNanos, long addNanos, long mergeNanos) {
    /** Aggregation (adding + merging) as a share of encoder time. */
    public double aggregationShare() {
      return encodeNanos == 0 ? 0 : (double) (addNanos + mergeNanos) / encodeNanos;
    }

    /** Images handled (counted and skipped) per second of the encode job. */
    public double imagesPerSecond() {
      return jobNanos == 0 ? 0 : (images + skipped) / (jobNanos / 1e9);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%d images (+%d skipped) in %d partitions, job %.1f s (%.1f s with loading and "
              + "the first pass), %.3f images/s; summed over tasks: read %.2f s, decode+tower+SAE %.2f s, add %.3f s, "
              + "serialize+merge %.3f s; aggregation %.2f %% of encoder time", images, skipped, partitions, jobNanos / 1e9,
          wallNanos / 1e9, imagesPerSecond(), readNanos / 1e9, encodeNanos / 1e9, addNanos / 1e9, mergeNanos / 1e9,
          100 * aggregationShare());
    }
  }

  /**
   * The outcome.
   *
   * @param statistics over every image that could be used
   * @param skipped the images that could not, with reasons
   * @param timings where the time went
   */
  public record Result(LatentStatistics statistics, List<SkippedImage> skipped, Timings timings) {}

  /**
   * Runs the job and writes {@code out} exactly as {@code vsp stats} does ({@link StatisticsRun#writeResult}).
   *
   * @param progress where to draw progress (images done, images/s, ETA), or null for none
   * @throws InvalidInputException if the SAE does not fit the model, the dataset is empty of entries, an
   *     image id repeats, or a source is malformed (before any image is encoded)
   */
  public static Result run(SparkSession spark, DatasetSource source, Job job, Path out, PrintStream progress) {
    long start = System.nanoTime();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    EncoderLoader loader = new EncoderLoader(job.model(), job.sae(), job.device(), job.dtype());
    // the driver checks model, SAE and their fit before any task (local executors then share this copy)
    EncoderLoader.Loaded model = loader.get(job.device().equals("gpu") ? "cpu" : job.device());
    // a tower without CLS (SigLIP) has no row to exclude, as vsp stats
    StatisticsOptions options = job.options().withCls(job.options().includeCls() || !model.tower().hasClsToken());
    if (job.cacheDir() != null) {
      ActivationCache.clear(job.cacheDir());
    }
    int cores = Math.max(1, jsc.defaultParallelism());
    long total;
    JavaRDD<ImageRecord> records;
    if (source instanceof DatasetSource.Folder || source instanceof DatasetSource.Csv) {
      List<ImageEntry> entries = source instanceof DatasetSource.Folder f ? ImageEntry.fromFolder(f.root())
          : ImageEntry.fromCsv(((DatasetSource.Csv) source).file());
      records = fromEntries(jsc, entries, job.partitions() > 0 ? job.partitions()
          : (int) Math.max(cores, (entries.size() + IMAGES_PER_PARTITION - 1) / IMAGES_PER_PARTITION));
      total = entries.size();
    } else if (source instanceof DatasetSource.Tar t) {
      List<String> shards = DatasetSource.expandShards(t.patterns()).stream().map(p -> p.toAbsolutePath().toString())
          .toList();
      long maxBytes = job.limits().maxBytes();
      JavaRDD<String> shardRdd = jsc.parallelize(shards, shards.size());
      total = checkUniqueIds(shardRdd.mapPartitions(s -> readShards(s, maxBytes, true)).map(ImageRecord::id));
      records = shardRdd.mapPartitions(s -> readShards(s, maxBytes, false));
      if (job.partitions() > 0) {
        records = records.repartition(job.partitions());
      }
    } else {
      ParquetImages.Selected selected = ParquetImages.select(spark, (DatasetSource.Parquet) source);
      total = checkUniqueIds(selected.ids());
      records = selected.records(job.limits().maxBytes());
      if (job.partitions() > 0) {
        records = records.repartition(job.partitions());
      }
    }
    LongAccumulator done = jsc.sc().longAccumulator("vsp images handled");
    StatsProgress listener = new StatsProgress(done, total);
    spark.sparkContext().addSparkListener(listener);
    PartialResult merged;
    int partitions = records.getNumPartitions();
    long jobStart = System.nanoTime();
    try (AutoCloseable bar = progress == null ? () -> { } : listener.printEvery(progress, 1000)) {
      JavaRDD<PartialResult> partials = records.mapPartitionsWithIndex(
          new EncodePartition(loader, options, job.limits(), job.cacheDir(), done), false);
      merged = partitions == 0 ? null : partials.treeReduce(PartialResult::merge, 2);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    long t = System.nanoTime();
    LatentStatistics stats = merged == null ? new LatentStatistics(model.sae().dSae(), options)
        : LatentStatistics.fromBytes(merged.statistics);
    long driverMerge = System.nanoTime() - t;
    long jobNanos = t - jobStart + driverMerge;
    List<SkippedImage> skipped = new ArrayList<>();
    if (merged != null) {
      for (String[] s : merged.skipped) {
        skipped.add(new SkippedImage(s[0], s[1]));
      }
    }
    StatisticsRun.writeResult(out, stats, skipped);
    Timings timings = merged == null ? new Timings(0, 0, 0, System.nanoTime() - start, jobNanos, 0, 0, 0, 0)
        : new Timings(stats.images(), skipped.size(), partitions, System.nanoTime() - start, jobNanos, merged.readNanos,
            merged.encodeNanos, merged.addNanos, merged.mergeNanos + driverMerge);
    return new Result(stats, skipped, timings);
  }

  private static JavaRDD<ImageRecord> fromEntries(JavaSparkContext jsc, List<ImageEntry> entries, int partitions) {
    List<ImageRecord> list = new ArrayList<>(entries.size());
    for (ImageEntry e : entries) {
      list.add(ImageRecord.ofFile(e.imageId(), e.label(), e.path().toString(), e.path().toAbsolutePath().toString()));
    }
    return jsc.parallelize(list, Math.max(1, Math.min(partitions, Math.max(1, list.size()))));
  }

  private static Iterator<ImageRecord> readShards(Iterator<String> shards, long maxBytes, boolean headersOnly) {
    return new Iterator<>() {
      WebDatasetShard current;

      @Override
      public boolean hasNext() {
        if (pendingProblem != null) {
          return true;
        }
        while (current == null || !current.hasNext()) {
          if (current != null) {
            current.close();
            current = null;
          }
          if (!shards.hasNext()) {
            return false;
          }
          String shard = shards.next();
          try {
            current = new WebDatasetShard(Path.of(shard), maxBytes, headersOnly);
          } catch (IOException e) {
            // an unreadable shard is one skipped entry, not a failed job
            current = null;
            pendingProblem = ImageRecord.problem(shard, shard, "unreadable tar shard: " + e.getMessage());
            return true;
          }
        }
        return true;
      }

      ImageRecord pendingProblem;

      @Override
      public ImageRecord next() {
        if (pendingProblem != null) {
          ImageRecord r = pendingProblem;
          pendingProblem = null;
          return r;
        }
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        if (pendingProblem != null) { // set by this hasNext()
          ImageRecord r = pendingProblem;
          pendingProblem = null;
          return r;
        }
        return current.next();
      }
    };
  }

  /** Counts the ids and refuses a repeated one, naming up to three. */
  private static long checkUniqueIds(JavaRDD<String> ids) {
    JavaPairRDD<String, Integer> counts = ids.mapToPair(id -> new Tuple2<>(id, 1)).reduceByKey(Integer::sum);
    List<Tuple2<String, Integer>> repeated = counts.filter(c -> c._2() > 1).take(3);
    if (!repeated.isEmpty()) {
      StringBuilder sb = new StringBuilder();
      for (Tuple2<String, Integer> r : repeated) {
        sb.append(sb.length() == 0 ? "" : ", ").append(r._1()).append(" (").append(r._2()).append(" times)");
      }
      throw new InvalidInputException("image ids must be unique across the dataset; repeated: " + sb
          + ". Give each sample a unique key (WebDataset), or unique paths or an --id-column (Parquet).");
    }
    return counts.values().fold(0, Integer::sum);
  }
}
