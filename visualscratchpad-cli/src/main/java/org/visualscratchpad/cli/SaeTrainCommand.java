package org.visualscratchpad.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.architecture.SaeTypes;
import org.visualscratchpad.sae.stats.ImageEntry;
import org.visualscratchpad.sae.train.ActivationSource;
import org.visualscratchpad.sae.train.EncoderActivationSource;
import org.visualscratchpad.vision.VisionEncoder;
import org.visualscratchpad.sae.train.DecoderBiasInit;
import org.visualscratchpad.sae.train.DecoderNorm;
import org.visualscratchpad.sae.train.SafetensorsActivationSource;
import org.visualscratchpad.sae.train.TrainedSae;
import org.visualscratchpad.sae.train.TrainingConfig;
import org.visualscratchpad.sae.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vsp sae train}: trains an SAE on stored activations with the paper's hyper-parameters as
 * defaults, writing the SAELens layout, a JSON-lines log and resumable checkpoints.
 *
 * <pre>
 *   bin/vsp sae train --activations acts/ --hook vision.blocks.22.hook_resid_post --out sae-l22
 *   bin/vsp sae train --activations acts/ --hook ... --out sae-l22 --resume      # continue after a stop
 * </pre>
 *
 * <p>The activation source is chosen in {@link #openSource()}: a folder of safetensors {@code [rows x
 * d_in]} tensors ({@code --activations}), or images through a model's vision tower up to the hook point
 * ({@code --images --model}), which runs the tower once and caches the rows (in memory while they fit in
 * a quarter of the heap, else in a temporary file deleted when training ends; the command says which)
 * so that every later epoch reads them back.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Train a sparse autoencoder (vanilla ReLU by default, the paper's recipe: 32x expansion,",
        "MSE + L1 8e-5, Adam 1e-4 with warm-up and decay) on activations read at one hook point."})
public final class SaeTrainCommand implements Callable<Integer> {

  @Option(names = "--activations", paramLabel = "PATH",
      description = "A .safetensors file or a folder of them holding [rows x d_in] activation tensors.")
  Path activations;

  @Option(names = "--images", paramLabel = "DIR",
      description = "Train from images instead: a folder (sub-folders are labels), run through --model up to --hook.")
  Path images;

  @Option(names = "--model", paramLabel = "DIR", description = "CLIP, LLaVA-1.5 or LLaVA-NeXT model folder for --images.")
  Path model;

  @Option(names = "--exclude-cls", description = "With --images: do not train on CLS rows.")
  boolean excludeCls;

  @Option(names = "--hook", required = true, paramLabel = "HOOK",
      description = "Hook point the activations were read at, e.g. vision.blocks.22.hook_resid_post.")
  String hook;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (SAELens layout).")
  Path out;

  @Option(names = "--architecture", defaultValue = "standard", description = "standard (ReLU) or topk. Default: ${DEFAULT-VALUE}.")
  String architecture;

  @Option(names = "--k", defaultValue = "0", description = "Latents kept per row for topk.")
  int k;

  @Option(names = "--expansion", defaultValue = "32", description = "d_sae = expansion x d_in. Default: ${DEFAULT-VALUE}.")
  int expansion;

  @Option(names = "--d-sae", defaultValue = "0", description = "Number of latents (overrides --expansion).")
  int dSae;

  @Option(names = "--l1", defaultValue = "8e-5", description = "L1 coefficient. Default: ${DEFAULT-VALUE} (the paper).")
  double l1;

  @Option(names = "--decoder-norm", defaultValue = "UNIT",
      description = "UNIT (rows kept at unit norm) or WEIGHTED_L1 (L1 weighted by decoder norms). Default: ${DEFAULT-VALUE}.")
  DecoderNorm decoderNorm;

  @Option(names = "--lr", defaultValue = "1e-4", description = "Adam learning rate. Default: ${DEFAULT-VALUE} (the paper).")
  double lr;

  @Option(names = "--steps", defaultValue = "20000", description = "Training steps. Default: ${DEFAULT-VALUE}.")
  long steps;

  @Option(names = "--warmup", defaultValue = "-1", description = "Warm-up steps (default: 5 percent of --steps).")
  long warmup;

  @Option(names = "--decay", defaultValue = "-1", description = "Final linear-decay steps (default: 20 percent of --steps).")
  long decay;

  @Option(names = "--batch-size", defaultValue = "4096", description = "Rows per step. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--b-dec-init", defaultValue = "GEOMETRIC_MEDIAN",
      description = "ZERO, MEAN or GEOMETRIC_MEDIAN of the first batch. Default: ${DEFAULT-VALUE}.")
  DecoderBiasInit bDecInit;

  @Option(names = "--dead-window", defaultValue = "10000000",
      description = "Rows without firing after which a latent counts as dead. Default: ${DEFAULT-VALUE}.")
  long deadWindow;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the initial weights and the shuffling. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--threads", defaultValue = "0", description = "Worker threads (0: all processors).")
  int threads;

  @Option(names = "--model-name", defaultValue = "", description = "Model name written to cfg.json.")
  String modelName;

  @Option(names = "--checkpoint-every", defaultValue = "1000", description = "Steps between checkpoints. Default: ${DEFAULT-VALUE}.")
  long checkpointEvery;

  @Option(names = "--keep-checkpoints", defaultValue = "2", description = "Checkpoints kept. Default: ${DEFAULT-VALUE}.")
  int keepCheckpoints;

  @Option(names = "--resume", description = "Continue from the latest checkpoint in --out.")
  boolean resume;

  @Option(names = "--force", description = "Replace the SAE and training run already in --out (its checkpoints and log too).")
  boolean force;

  /** What a training run writes into --out; their presence means the folder holds an SAE or a run. */
  static final List<String> RUN_FILES = List.of("cfg.json", "sae_weights.safetensors", TrainingRun.LOG_FILE, "checkpoints");

  @Override
  public Integer call() {
    InvalidInputException.check(!(resume && force), "give --resume (continue the run in --out) or --force (replace it),"
        + " not both");
    List<String> found = RUN_FILES.stream().filter(f -> Files.exists(out.resolve(f))).toList();
    if (!found.isEmpty() && !resume) {
      InvalidInputException.check(force, "--out (%s) already holds an SAE or a training run (%s). Add --resume to"
          + " continue its training, --force to replace it, or choose another folder.", out, String.join(", ", found));
      deleteRun(out);
    }
    try (ActivationSource source = openSource()) {
      TrainingConfig cfg = config(source.dIn());
      System.err.println("vsp: " + source.describe());
      System.err.println("vsp: " + cfg);
      long start = resume && TrainingRun.latestCheckpoint(out) != null
          ? Long.parseLong(TrainingRun.latestCheckpoint(out).getFileName().toString().substring(5)) : 0;
      TrainedSae sae;
      try (ProgressBar bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(cfg.totalSteps())
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).startsFrom(start, java.time.Duration.ZERO)
          .setConsumer(Output.progressConsumer()).build()) {
        sae = TrainingRun.run(cfg, source, new TrainingRun.Options(out, batchSize, checkpointEvery, keepCheckpoints, resume),
            (trainer, m) -> {
              bar.stepTo(m.step());
              bar.setExtraMessage(String.format(Locale.ROOT, " mse %.4g L0 %.1f EV %.3f dead %d", m.mse(), m.l0(),
                  m.explainedVariance(), m.deadLatents()));
            });
      }
      System.out.println("wrote " + sae + " to " + out + " (log: " + out.resolve(TrainingRun.LOG_FILE) + ")");
      return 0;
    }
  }

  /** Deletes what a training run wrote into {@code out} (and nothing else). */
  static void deleteRun(Path out) {
    for (String f : RUN_FILES) {
      Path p = out.resolve(f);
      try (java.util.stream.Stream<Path> all = Files.exists(p) ? Files.walk(p) : java.util.stream.Stream.empty()) {
        for (Path q : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(q);
        }
      } catch (java.io.IOException e) {
        throw new org.visualscratchpad.CheckpointFormatException(p, "cannot delete the old run: " + e.getMessage(), e);
      }
    }
  }

  /** The activation source: stored activations, or images through the vision encoder. */
  ActivationSource openSource() {
    InvalidInputException.check((activations == null) != (images == null),
        "give exactly one of --activations (stored activations) or --images (with --model)");
    if (activations != null) {
      return SafetensorsActivationSource.open(activations);
    }
    InvalidInputException.check(model != null, "--images needs --model (the vision encoder's folder)");
    // only the embeddings and the layers before the hook are loaded where the folder allows it (CLIP,
    // LLaVA-1.5/NeXT, LLaVA-OneVision, Qwen2-VL), as vsp stats does
    VisionEncoder encoder = org.visualscratchpad.torch.family.VisionEncoders.open(model, HookPoint.parse(hook), "cpu", "auto");
    List<ImageEntry> entries = ImageEntry.fromFolder(images);
    // the tower runs once over the images; every epoch reads its rows back (in memory while they fit in
    // a quarter of the heap, else from a temporary file)
    long memory = Runtime.getRuntime().maxMemory() / 4;
    System.out.printf(java.util.Locale.ROOT, "running the vision tower once over %d images to cache the activations at %s"
        + " (every epoch reads them back)...%n", entries.size(), hook);
    System.out.flush();
    EncoderActivationSource source;
    try {
      source = EncoderActivationSource.cached(encoder, HookPoint.parse(hook), entries, !excludeCls,
          skipped -> System.err.println("vsp: skipped " + skipped), memory, null);
    } catch (RuntimeException e) {
      closeEncoder(encoder);
      throw e;
    }
    var cache = source.cache();
    System.out.printf(java.util.Locale.ROOT, "cached %d rows x %d (%.1f MiB) %s%n", cache.totalRows(), cache.dIn(),
        cache.bytes() / 1048576.0, cache.inMemory() ? "in memory"
            : "in the temporary file " + cache.file() + " (more than the " + (memory >> 20) + " MiB kept in memory; "
                + "deleted when training ends)");
    return new ActivationSource() {
      @Override
      public int dIn() {
        return source.dIn();
      }

      @Override
      public java.util.Iterator<org.visualscratchpad.tensor.FloatMatrix> batches(int rows, long seed) {
        return source.batches(rows, seed);
      }

      @Override
      public String describe() {
        return source.describe();
      }

      @Override
      public void close() {
        source.close();
        closeEncoder(encoder);
      }
    };
  }

  private static void closeEncoder(VisionEncoder encoder) {
    if (encoder instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("vsp: closing the encoder failed: " + e.getMessage());
      }
    }
  }

  TrainingConfig config(int dIn) {
    HookPoint hookPoint = HookPoint.parse(hook);
    TrainingConfig cfg = TrainingConfig.paperDefaults(dIn, hookPoint);
    int latents = dSae > 0 ? dSae : Math.multiplyExact(dIn, expansion);
    InvalidInputException.check(latents > 0, "--expansion (%s) must be > 0", expansion);
    cfg = cfg.withDSae(latents).withL1(l1, decoderNorm).withLearningRate(lr)
        .withSchedule(steps, warmup >= 0 ? warmup : steps / 20, decay >= 0 ? decay : steps / 5)
        .withDecoderBiasInit(bDecInit).withDeadWindowTokens(deadWindow).withSeed(seed).withThreads(threads)
        .withModelName(modelName);
    SaeArchitecture arch = SaeTypes.parse(architecture).architecture();
    if (SaeArchitecture.TOPK.equals(arch)) {
      InvalidInputException.check(k > 0, "--k (%s) must be > 0 for --architecture topk", k);
      cfg = cfg.withTopK(k);
    } else {
      InvalidInputException.check(SaeArchitecture.STANDARD.equals(arch),
          "--architecture (%s) must be standard or topk for training", architecture);
    }
    return cfg;
  }
}
