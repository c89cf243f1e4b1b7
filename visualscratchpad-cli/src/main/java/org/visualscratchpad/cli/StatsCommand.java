package org.visualscratchpad.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.sae.stats.ImageDecoding;
import org.visualscratchpad.sae.stats.ImageEntry;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.sae.NoisyLatents;
import org.visualscratchpad.sae.stats.SkippedImage;
import org.visualscratchpad.sae.stats.StatisticsOptions;
import org.visualscratchpad.sae.stats.StatisticsRun;
import org.visualscratchpad.torch.family.VisionEncoders;
import org.visualscratchpad.vision.VisionEncoder;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code vsp stats}: latent statistics of an SAE over an image dataset, through the vision tower
 * loaded and run only up to the SAE's hook point ({@link VisionEncoders}).
 *
 * <pre>
 *   bin/vsp stats --model clip-vit-large-patch14 --sae sae-l22 --images imagenet-val --out stats-l22
 *   bin/vsp stats --model ... --sae ... --csv images.csv --out stats --resume
 *   bin/vsp stats --spark local[*] --model ... --sae ... --tar 'shards/*.tar' --out stats
 * </pre>
 *
 * <p>With {@code --spark MASTER} the same statistics are computed as an Apache Spark job by the
 * {@code visualscratchpad-spark} module, which the command line does not depend on: {@code bin/vsp} runs that
 * module's {@code org.visualscratchpad.spark.SparkStatsMain} on its own class path; reached here
 * (e.g. from JShell) the command hands its arguments to that class by reflection when it is on the
 * class path, and otherwise says how to run it.
 */
@Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compute per-latent statistics (frequency, mean activation, top-k images with patch masks,",
        "label entropy, noisy-latent flags) of an SAE over a folder of images (sub-folders are labels) or a CSV.",
        "With --spark MASTER (e.g. local[*]) the same statistics, bit for bit, as an Apache Spark job, which also",
        "reads WebDataset tar shards (--tar) and Hugging Face Parquet exports (--parquet) and can cache the SAE",
        "codes (--cache-activations DIR); see `vsp stats --spark local --help`."})
public final class StatsCommand implements Callable<Integer> {

  static final class Dataset {
    @Option(names = "--images", paramLabel = "DIR", description = "Image folder; sub-folders are labels.")
    Path folder;

    @Option(names = "--csv", paramLabel = "FILE", description = "CSV of path,label (paths relative to the CSV).")
    Path csv;
  }

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "Hugging Face CLIP, LLaVA-1.5 or LLaVA-NeXT model folder (its vision tower and preprocessing).")
  Path model;

  @Option(names = "--sae", required = true, paramLabel = "PATH", description = "SAE folder (SAELens) or PatchSAE file.")
  Path sae;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Dataset dataset;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(names = "--top-k", defaultValue = "20", description = "Top images kept per latent. Default: ${DEFAULT-VALUE}.")
  int topK;

  @Option(names = "--exclude-cls", description = "Do not count the CLS token (default: counted, as PatchSAE).")
  boolean excludeCls;

  @Option(names = "--noisy-percent", defaultValue = "2", description = "Noisy-latent cut on each axis, in percent. Default: ${DEFAULT-VALUE}.")
  double noisyPercent;

  @Option(names = "--checkpoint-every", defaultValue = "500", description = "Images between checkpoints. Default: ${DEFAULT-VALUE}.")
  int checkpointEvery;

  @Option(names = "--resume", description = "Continue from the latest checkpoint in --out.")
  boolean resume;

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE",
      description = "cpu (the project's CPU engine), torch:cpu, gpu or gpu:N (libtorch). Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(names = "--max-image-bytes", defaultValue = "67108864", paramLabel = "N",
      description = "Larger image files are skipped and listed. Default: ${DEFAULT-VALUE} (64 MiB).")
  long maxImageBytes;

  @Option(names = "--max-pixels", defaultValue = "100000000", paramLabel = "N",
      description = "Images whose header declares more pixels are skipped and listed. Default: ${DEFAULT-VALUE}.")
  long maxPixels;

  @Option(names = "--timings", description = "Print where the time went (read, decode + tower + SAE, adding; images/s).")
  boolean timings;

  @Option(names = "--spark", paramLabel = "MASTER",
      description = "Run as an Apache Spark job on MASTER (local[*], local[2], spark://host:7077, yarn, ...).")
  String spark;

  /** The Spark job's own options (--tar, --parquet, --cache-activations, ...), handed over with --spark. */
  @Unmatched
  List<String> sparkOnly = new ArrayList<>();

  @Spec
  CommandSpec commandSpec;

  static final String SPARK_MAIN = "org.visualscratchpad.spark.SparkStatsMain";

  @Override
  public Integer call() {
    if (spark != null) {
      return runOnSpark();
    }
    if (!sparkOnly.isEmpty()) {
      throw new InvalidInputException("unknown option or argument " + sparkOnly.get(0) + " (--tar, --parquet, "
          + "--cache-activations and the other Spark options need --spark MASTER, e.g. --spark local[*])");
    }
    if (dataset == null) {
      throw new InvalidInputException("give the dataset: --images DIR or --csv FILE (with --spark also --tar or --parquet)");
    }
    List<ImageEntry> images = dataset.folder != null ? ImageEntry.fromFolder(dataset.folder) : ImageEntry.fromCsv(dataset.csv);
    SparseAutoencoder autoencoder = loadSae(sae);
    // the tower only up to the hook where it can be loaded so (CLIP, LLaVA-1.5/NeXT), else the family's model
    VisionEncoder encoder = VisionEncoders.open(model, autoencoder.config().hookPoint(), device, "auto");
    try {
      StatisticsRun.checkCompatible(encoder, autoencoder);
      // a tower without CLS (SigLIP) has no row to exclude: row 0 is a patch
      StatisticsOptions options = new StatisticsOptions(topK, !excludeCls || !encoder.hasClsToken());
      StatisticsRun.Result result;
      long[] loop = new long[4];
      try (ProgressBar bar = new ProgressBarBuilder().setTaskName("stats").setInitialMax(images.size())
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
          .setConsumer(Output.progressConsumer()).build()) {
        result = StatisticsRun.run(encoder, autoencoder, images, new StatisticsRun.Options(out, options, checkpointEvery,
            resume, new ImageDecoding.Limits(maxImageBytes, maxPixels)), new StatisticsRun.Listener() {
              @Override
              public void progress(int done, int total) {
                bar.stepTo(done);
              }

              @Override
              public void skipped(SkippedImage image) {
                System.err.println(System.lineSeparator() + "vsp: skipped " + image);
              }

              @Override
              public void timings(long readNanos, long encodeNanos, long addNanos, long loopNanos) {
                loop[0] = readNanos;
                loop[1] = encodeNanos;
                loop[2] = addNanos;
                loop[3] = loopNanos;
              }
            });
      }
      LatentStatistics stats = result.statistics();
      NoisyLatents noisy = stats.noisyLatents(noisyPercent);
      System.out.println(stats);
      if (!encoder.hasClsToken()) {
        System.out.println("(this tower has no CLS row: every row counted is a patch; --exclude-cls changes nothing)");
      }
      System.out.println(noisy);
      System.out.printf(Locale.ROOT, "%d images counted, %d skipped (listed in %s); statistics in %s%n", stats.images(),
          result.skipped().size(), out.resolve("skipped.txt"), out);
      if (timings) {
        long handled = stats.images() + result.skipped().size();
        System.out.printf(Locale.ROOT, "timings: %d images (+%d skipped), loop %.1f s, %.3f images/s; read %.2f s, "
                + "decode+tower+SAE %.2f s, add %.3f s; aggregation %.2f %% of encoder time%n", stats.images(),
            result.skipped().size(), loop[3] / 1e9, loop[3] == 0 ? 0 : handled / (loop[3] / 1e9), loop[0] / 1e9,
            loop[1] / 1e9, loop[2] / 1e9, loop[1] == 0 ? 0 : 100.0 * loop[2] / loop[1]);
      }
      return 0;
    } finally {
      if (encoder instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          System.err.println("vsp: closing the encoder failed: " + e.getMessage());
        }
      }
    }
  }

  /** Hands the original arguments to the Spark module's main, when it is on the class path. */
  private int runOnSpark() {
    List<String> all = commandSpec.commandLine().getParseResult().originalArgs();
    List<String> args = new ArrayList<>(all.subList(all.indexOf("stats") + 1, all.size()));
    Class<?> main;
    try {
      main = Class.forName(SPARK_MAIN);
    } catch (ClassNotFoundException e) {
      throw new InvalidInputException("vsp stats --spark needs the visualscratchpad-spark module, which is not on this "
          + "class path: run it through bin/vsp (which adds it), or on a cluster with spark-submit --class " + SPARK_MAIN
          + " (README, 'Statistics on Apache Spark')");
    }
    try {
      return (Integer) main.getMethod("run", String[].class).invoke(null, (Object) args.toArray(String[]::new));
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(SPARK_MAIN + " has no static int run(String...): " + e, e);
    }
  }

  /** The SAE in the SAELens or PatchSAE layout. */
  static SparseAutoencoder loadSae(Path path) {
    return SaeLoader.load(path);
  }

}
