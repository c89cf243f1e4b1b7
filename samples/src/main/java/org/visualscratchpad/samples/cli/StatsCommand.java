package org.visualscratchpad.samples.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.sae.stats.ImageEntry;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.sae.NoisyLatents;
import org.visualscratchpad.sae.stats.SkippedImage;
import org.visualscratchpad.sae.stats.StatisticsOptions;
import org.visualscratchpad.sae.stats.StatisticsRun;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.clip.ClipModel;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.llava.LlavaModel;
import org.visualscratchpad.vision.VisionEncoder;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vsp stats}: latent statistics of an SAE over an image dataset, through the vision encoder
 * up to the SAE's hook point.
 *
 * <pre>
 *   bin/vsp stats --model clip-vit-large-patch14 --sae sae-l22 --images imagenet-val --out stats-l22
 *   bin/vsp stats --model ... --sae ... --csv images.csv --out stats --resume
 * </pre>
 */
@Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compute per-latent statistics (frequency, mean activation, top-k images with patch masks,",
        "label entropy, noisy-latent flags) of an SAE over a folder of images (sub-folders are labels) or a CSV."})
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

  @ArgGroup(exclusive = true, multiplicity = "1")
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

  @Override
  public Integer call() {
    List<ImageEntry> images = dataset.folder != null ? ImageEntry.fromFolder(dataset.folder) : ImageEntry.fromCsv(dataset.csv);
    SparseAutoencoder autoencoder = loadSae(sae);
    VisionEncoder encoder = openEncoder(model);
    try {
      StatisticsRun.checkCompatible(encoder, autoencoder);
      // a tower without CLS (SigLIP) has no row to exclude: row 0 is a patch
      StatisticsOptions options = new StatisticsOptions(topK, !excludeCls || !encoder.hasClsToken());
      StatisticsRun.Result result;
      try (ProgressBar bar = new ProgressBarBuilder().setTaskName("stats").setInitialMax(images.size())
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
          .setConsumer(Output.progressConsumer()).build()) {
        result = StatisticsRun.run(encoder, autoencoder, images,
            new StatisticsRun.Options(out, options, checkpointEvery, resume), new StatisticsRun.Listener() {
              @Override
              public void progress(int done, int total) {
                bar.stepTo(done);
              }

              @Override
              public void skipped(SkippedImage image) {
                System.err.println(System.lineSeparator() + "vsp: skipped " + image);
              }
            });
      }
      LatentStatistics stats = result.statistics();
      NoisyLatents noisy = stats.noisyLatents(noisyPercent);
      System.out.println(stats);
      System.out.println(noisy);
      System.out.printf(Locale.ROOT, "%d images counted, %d skipped (listed in %s); statistics in %s%n", stats.images(),
          result.skipped().size(), out.resolve("skipped.txt"), out);
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

  /** The SAE in the SAELens or PatchSAE layout. */
  static SparseAutoencoder loadSae(Path path) {
    return SaeLoader.load(path);
  }

  /**
   * The vision tower of a checkpoint folder with the folder's own image preprocessing ({@code
   * preprocessor_config.json}): a CLIPModel or CLIPVisionModel folder, or a folder of a registered VLM family
   * (LLaVA-1.5, LLaVA-NeXT, LLaVA-OneVision: its own tower, and for anyres every crop, as the VLM sees the image).
   */
  static VisionEncoder openEncoder(Path folder) {
    ImagePreprocessor.forCheckpoint(folder);   // a missing or bad preprocessor_config.json is reported before loading
    String type = ConfigJson.read(folder).getString("model_type", "");
    if (org.visualscratchpad.torch.family.VlmFamilies.supports(type)) {
      return LlavaModel.load(folder);
    }
    return ClipModel.load(folder);
  }

}
