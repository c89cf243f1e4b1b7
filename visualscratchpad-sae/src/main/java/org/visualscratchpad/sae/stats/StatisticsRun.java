package org.visualscratchpad.sae.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.vision.VisionEncoder;

/**
 * Computes {@link LatentStatistics} over a dataset of image files: each image goes through the
 * vision encoder up to the SAE's hook point, then through the SAE; only the sparse codes are kept.
 * Files that are not readable images are reported (listener and {@code skipped.txt}) and skipped,
 * never silently; the run checkpoints every few images and resumes from the last checkpoint.
 *
 * <pre>
 *   OUT/latent_stats.json, OUT/latent_stats.safetensors   the result (see {@link LatentStatistics#save})
 *   OUT/skipped.txt                                       one "path: reason" per skipped file
 *   OUT/checkpoints/images-000001000/                     statistics + progress.json; OUT/checkpoints/latest
 * </pre>
 *
 * <pre>{@code
 * jshell> var result = StatisticsRun.run(encoder, sae, ImageEntry.fromFolder(Path.of("val")),
 *    ...>     new StatisticsRun.Options(Path.of("stats"), StatisticsOptions.defaults(), 500, true), StatisticsRun.Listener.none())
 * result ==> Result[LatentStatistics[d_sae 32768, 9998 images, ...], 2 skipped]
 * }</pre>
 */
public final class StatisticsRun {

  /**
   * How a run writes its files.
   *
   * @param outputDir the output folder
   * @param statistics what to count
   * @param checkpointEvery images between checkpoints
   * @param resume continue from {@code OUT/checkpoints/latest} if it exists
   */
  public record Options(Path outputDir, StatisticsOptions statistics, int checkpointEvery, boolean resume) {
    public Options {
      InvalidInputException.check(outputDir != null, "output folder must not be null");
      InvalidInputException.check(statistics != null, "statistics options must not be null");
      InvalidInputException.check(checkpointEvery > 0, "checkpointEvery (%s) must be > 0", checkpointEvery);
    }
  }

  /** Progress and problems, as they happen (a progress bar, warnings on the console). */
  public interface Listener {
    /** {@code done} of {@code total} entries are handled (processed or skipped). */
    void progress(int done, int total);

    /** {@code image} was skipped. */
    void skipped(SkippedImage image);

    /** A listener that ignores everything. */
    static Listener none() {
      return new Listener() {
        @Override
        public void progress(int done, int total) {}

        @Override
        public void skipped(SkippedImage image) {}
      };
    }
  }

  /**
   * The outcome of a run.
   *
   * @param statistics the statistics over every image that could be read
   * @param skipped the files that were not, with reasons
   */
  public record Result(LatentStatistics statistics, List<SkippedImage> skipped) {
    public Result {
      skipped = List.copyOf(skipped);
    }

    @Override
    public String toString() {
      return "Result[" + statistics + ", " + skipped.size() + " skipped]";
    }
  }

  private StatisticsRun() {}

  /**
   * Checks that {@code sae} fits {@code encoder}: its hook point lies within the tower and its
   * {@code d_in} equals the tower's width.
   *
   * @throws InvalidInputException naming both numbers
   */
  public static void checkCompatible(VisionEncoder encoder, SparseAutoencoder sae) {
    var hook = sae.config().hookPoint();
    InvalidInputException.check(hook.layer() < encoder.numLayers(),
        "SAE hook point %s (layer %s) must lie within the vision encoder's %s layers. Was this SAE trained on another model?",
        hook, hook.layer(), encoder.numLayers());
    InvalidInputException.check(sae.dIn() == encoder.hiddenSize(),
        "SAE d_in (%s) does not match hook point %s (d_model %s). Was this SAE trained on another model?",
        sae.dIn(), hook, encoder.hiddenSize());
  }

  /**
   * Runs over {@code images} (in the given order), resuming when asked and possible.
   *
   * @throws InvalidInputException if the SAE does not fit the encoder (before any work), or image
   *     ids repeat
   * @throws CheckpointFormatException if the checkpoint belongs to another dataset or cannot be read
   */
  public static Result run(VisionEncoder encoder, SparseAutoencoder sae, List<ImageEntry> images, Options options,
      Listener listener) {
    checkCompatible(encoder, sae);
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (ImageEntry e : images) {
      InvalidInputException.check(ids.add(e.imageId()), "image id %s appears twice in the dataset", e.imageId());
    }
    String fingerprint = fingerprint(images);
    Path out = options.outputDir();
    Path checkpoints = out.resolve("checkpoints");
    try {
      Files.createDirectories(checkpoints);
    } catch (IOException e) {
      throw new CheckpointFormatException(out, "cannot create the output folder: " + e.getMessage(), e);
    }
    LatentStatistics stats = new LatentStatistics(sae.dSae(), options.statistics());
    List<SkippedImage> skipped = new ArrayList<>();
    int start = 0;
    Path latest = latest(checkpoints);
    if (options.resume() && latest != null) {
      JsonNode progress = readProgress(latest.resolve("progress.json"));
      if (!fingerprint.equals(progress.path("dataset").asText())) {
        throw new CheckpointFormatException(latest.resolve("progress.json"), "checkpoint belongs to another image list"
            + " (fingerprint " + progress.path("dataset").asText() + ", this list " + fingerprint
            + "). Use another output folder or run without --resume.");
      }
      LatentStatistics saved = LatentStatistics.load(latest);
      if (saved.dSae() != sae.dSae() || !saved.options().equals(options.statistics())) {
        throw new CheckpointFormatException(latest, "checkpoint (d_sae " + saved.dSae() + ", " + saved.options()
            + ") must match this run (d_sae " + sae.dSae() + ", " + options.statistics() + ")");
      }
      stats = saved;
      start = progress.path("done").asInt();
      progress.path("skipped").forEach(n -> skipped.add(new SkippedImage(n.path("path").asText(), n.path("reason").asText())));
    }
    var hook = sae.config().hookPoint();
    for (int i = start; i < images.size(); i++) {
      ImageEntry entry = images.get(i);
      BufferedImage image = null;
      String reason = null;
      try {
        image = ImageIO.read(entry.path().toFile());
        if (image == null) {
          reason = "not an image (no ImageIO reader recognised it)";
        }
      } catch (IOException | RuntimeException e) {
        reason = "unreadable image: " + e.getMessage();
      }
      if (reason != null) {
        SkippedImage s = new SkippedImage(entry.path().toString(), reason);
        skipped.add(s);
        listener.skipped(s);
      } else {
        List<FloatMatrix> crops = encoder.residualStream(image, hook);
        List<SparseActivations> codes = new ArrayList<>(crops.size());
        for (FloatMatrix crop : crops) {
          codes.add(sae.encode(crop));
        }
        stats.add(new ImageActivations(entry.imageId(), entry.label(), codes));
      }
      int done = i + 1;
      if (done % options.checkpointEvery() == 0 && done < images.size()) {
        checkpoint(stats, skipped, done, images.size(), fingerprint, checkpoints);
      }
      listener.progress(done, images.size());
    }
    stats.save(out);
    writeSkipped(out.resolve("skipped.txt"), skipped);
    checkpoint(stats, skipped, images.size(), images.size(), fingerprint, checkpoints);
    return new Result(stats, skipped);
  }

  private static String fingerprint(List<ImageEntry> images) {
    long h = 1125899906842597L;
    for (ImageEntry e : images) {
      for (char c : (e.imageId() + "\u0000" + e.label() + "\u0001").toCharArray()) {
        h = 31 * h + c;
      }
    }
    return images.size() + ":" + Long.toHexString(h);
  }

  private static void checkpoint(LatentStatistics stats, List<SkippedImage> skipped, int done, int total,
      String fingerprint, Path checkpoints) {
    String name = String.format("images-%09d", done);
    Path dir = checkpoints.resolve(name);
    stats.save(dir);
    Map<String, Object> progress = new LinkedHashMap<>();
    progress.put("done", done);
    progress.put("total", total);
    progress.put("dataset", fingerprint);
    List<Map<String, String>> s = new ArrayList<>();
    for (SkippedImage k : skipped) {
      s.add(Map.of("path", k.path(), "reason", k.reason()));
    }
    progress.put("skipped", s);
    writeAtomically(dir.resolve("progress.json"), progress);
    writeTextAtomically(checkpoints.resolve("latest"), name + "\n");
    try (Stream<Path> all = Files.list(checkpoints)) {
      for (Path old : all.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().equals(name)).toList()) {
        try (Stream<Path> w = Files.walk(old)) {
          for (Path p : w.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    } catch (IOException e) {
      throw new CheckpointFormatException(checkpoints, "cannot remove old checkpoints: " + e.getMessage(), e);
    }
  }

  private static Path latest(Path checkpoints) {
    Path pointer = checkpoints.resolve("latest");
    if (!Files.isRegularFile(pointer)) {
      return null;
    }
    try {
      Path dir = checkpoints.resolve(Files.readString(pointer, StandardCharsets.UTF_8).strip());
      return Files.isRegularFile(dir.resolve("progress.json")) ? dir : null;
    } catch (IOException e) {
      throw new CheckpointFormatException(pointer, "cannot read: " + e.getMessage(), e);
    }
  }

  private static JsonNode readProgress(Path file) {
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot read the progress record: " + e.getMessage(), e);
    }
  }

  private static void writeSkipped(Path file, List<SkippedImage> skipped) {
    StringBuilder sb = new StringBuilder();
    for (SkippedImage s : skipped) {
      sb.append(s).append('\n');
    }
    writeTextAtomically(file, sb.toString());
  }

  private static void writeAtomically(Path file, Object json) {
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), json);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot write: " + e.getMessage(), e);
    }
  }

  private static void writeTextAtomically(Path file, String text) {
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot write: " + e.getMessage(), e);
    }
  }
}
