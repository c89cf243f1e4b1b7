package org.visualscratchpad.sae.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * A whole training run into one output folder: periodic resumable checkpoints, a JSON-lines log,
 * the final SAE in the SAELens layout, and a listener for progress display.
 *
 * <pre>
 *   OUT/cfg.json, OUT/sae_weights.safetensors, OUT/sparsity.safetensors   the final SAE
 *   OUT/training_log.jsonl                                                one {@link StepMetrics} per line
 *   OUT/checkpoints/step-000001000/                                       {@link TrainingCheckpoint}s
 *   OUT/checkpoints/latest                                                name of the newest complete one
 * </pre>
 *
 * <pre>{@code
 * jshell> var cfg = TrainingConfig.paperDefaults(1024, HookPoint.visionResidPost(18)).withTotalSteps(5000)
 * jshell> try (var src = SafetensorsActivationSource.open(Path.of("acts"))) {
 *    ...>   TrainedSae sae = TrainingRun.run(cfg, src, new TrainingRun.Options(Path.of("out"), 4096, 500, 2, true), TrainingListener.none());
 *    ...> }
 * }</pre>
 *
 * @see TrainingCheckpoint
 */
public final class TrainingRun {
  /** Name of the JSON-lines log inside the output folder. */
  public static final String LOG_FILE = "training_log.jsonl";

  /**
   * How a run writes its files.
   *
   * @param outputDir the output folder
   * @param batchSize rows per step
   * @param checkpointEvery steps between checkpoints (the last step is always saved)
   * @param keepCheckpoints how many checkpoints to keep (the newest ones; >= 1)
   * @param resume continue from {@code OUT/checkpoints/latest} if it exists
   */
  public record Options(Path outputDir, int batchSize, long checkpointEvery, int keepCheckpoints, boolean resume) {
    public Options {
      InvalidInputException.check(outputDir != null, "output folder must not be null");
      InvalidInputException.check(batchSize > 0, "batch size (%s) must be > 0", batchSize);
      InvalidInputException.check(checkpointEvery > 0, "checkpointEvery (%s) must be > 0", checkpointEvery);
      InvalidInputException.check(keepCheckpoints >= 1, "keepCheckpoints (%s) must be >= 1", keepCheckpoints);
    }
  }

  private TrainingRun() {}

  /**
   * Trains until {@code config.totalSteps()}, resuming from the latest checkpoint when asked and one
   * exists.
   *
   * @throws InvalidInputException if the source's width differs from {@code config.dIn()} (checked
   *     before any work)
   * @throws CheckpointFormatException if a file cannot be read or written
   */
  public static TrainedSae run(TrainingConfig config, ActivationSource source, Options options,
      TrainingListener listener) {
    InvalidInputException.check(source.dIn() == config.dIn(),
        "activation width (%s, %s) must equal the SAE's d_in (%s). Pass --d-in matching the activations.",
        source.dIn(), source.describe(), config.dIn());
    Path out = options.outputDir();
    Path checkpoints = out.resolve("checkpoints");
    try {
      Files.createDirectories(checkpoints);
    } catch (IOException e) {
      throw new CheckpointFormatException(out, "cannot create the output folder: " + e.getMessage(), e);
    }
    Path latest = latestCheckpoint(out);
    SaeTrainer trainer = options.resume() && latest != null
        ? TrainingCheckpoint.resume(latest, config) : SaeTrainer.create(config);
    try (trainer) {
      Path log = out.resolve(LOG_FILE);
      truncateLog(log, trainer.stepsTaken());
      Iterator<FloatMatrix> batches = source.batches(options.batchSize(), config.seed());
      for (long s = 0; s < trainer.stepsTaken(); s++) {
        batches.next(); // the batches the resumed run already used
      }
      try (BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND)) {
        trainer.train(batches, (t, m) -> {
          try {
            w.write(m.toJson());
            w.newLine();
            if (m.step() % options.checkpointEvery() == 0 || m.step() == config.totalSteps()) {
              w.flush();
              checkpoint(t, checkpoints, options.keepCheckpoints());
            }
          } catch (IOException e) {
            throw new CheckpointFormatException(log, "cannot write the training log: " + e.getMessage(), e);
          }
          listener.afterStep(t, m);
        });
      } catch (IOException e) {
        throw new CheckpointFormatException(log, "cannot write the training log: " + e.getMessage(), e);
      }
      TrainedSae sae = trainer.snapshot();
      sae.save(out);
      return sae;
    }
  }

  /** The newest complete checkpoint under {@code outputDir/checkpoints}, or null. */
  public static Path latestCheckpoint(Path outputDir) {
    Path pointer = outputDir.resolve("checkpoints").resolve("latest");
    if (!Files.isRegularFile(pointer)) {
      return null;
    }
    try {
      Path dir = outputDir.resolve("checkpoints").resolve(Files.readString(pointer, StandardCharsets.UTF_8).strip());
      return Files.isDirectory(dir) ? dir : null;
    } catch (IOException e) {
      throw new CheckpointFormatException(pointer, "cannot read: " + e.getMessage(), e);
    }
  }

  private static void checkpoint(SaeTrainer t, Path checkpoints, int keep) {
    String name = String.format("step-%09d", t.stepsTaken());
    TrainingCheckpoint.save(t, checkpoints.resolve(name));
    TrainingCheckpoint.writeText(checkpoints.resolve("latest"), name + "\n");
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.list(checkpoints)) {
      s.filter(p -> p.getFileName().toString().startsWith("step-") && Files.isDirectory(p)).forEach(all::add);
    } catch (IOException e) {
      throw new CheckpointFormatException(checkpoints, "cannot list checkpoints: " + e.getMessage(), e);
    }
    all.sort(Comparator.comparing(p -> p.getFileName().toString()));
    for (int i = 0; i < all.size() - keep; i++) {
      deleteTree(all.get(i));
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new CheckpointFormatException(dir, "cannot delete an old checkpoint: " + e.getMessage(), e);
    }
  }

  /** Drops log lines of steps after {@code keepThrough} (written after the checkpoint a run resumes from). */
  private static void truncateLog(Path log, long keepThrough) {
    if (!Files.exists(log)) {
      return;
    }
    try {
      List<String> kept = new ArrayList<>();
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        int at = line.indexOf("\"step\":");
        if (at < 0) {
          continue;
        }
        int end = at + 7;
        while (end < line.length() && Character.isDigit(line.charAt(end))) {
          end++;
        }
        if (end > at + 7 && Long.parseLong(line.substring(at + 7, end)) <= keepThrough) {
          kept.add(line);
        }
      }
      Files.write(log, kept, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CheckpointFormatException(log, "cannot rewrite the training log: " + e.getMessage(), e);
    }
  }
}
