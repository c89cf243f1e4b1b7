package org.visualscratchpad.sae.format;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.kernel.PureJavaSae;
import org.visualscratchpad.sae.kernel.SaeWeights;

/**
 * Loads an SAE from disk into a {@link PureJavaSae}, detecting the format:
 *
 * <ul>
 *   <li>a folder with {@code cfg.json} (or that file, or its {@code sae_weights.safetensors}):
 *       {@link SaeFormat#SAELENS};
 *   <li>a {@code .pt}/{@code .pth} file (a {@code torch.save} zip), or a folder holding exactly one:
 *       {@link SaeFormat#PATCHSAE}.
 * </ul>
 *
 * <p>Weights are widened to float32 in Java (F32, F16, BF16 on disk). With {@link
 * SaeLoadOptions#expectingDIn(int)} a {@code d_in} that differs from the hook point's width is
 * refused before the weights are read.
 *
 * <pre>{@code
 * jshell> var sae = SaeLoader.load(Path.of("fixtures/scratchpad_llava/sae"))
 * sae ==> PureJavaSae[standard, d_in 32, d_sae 256, vision.blocks.1.hook_resid_post, vector[256-bit, 6x16 tiles, 96-row blocks, 2 threads]]
 * jshell> SaeLoader.load(Path.of("sae"), 1024)   // refused: SAE d_in (32) does not match ...
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class SaeLoader {
  private SaeLoader() {}

  /** Loads the SAE at {@code path} with default options. */
  public static PureJavaSae load(Path path) {
    return load(path, SaeLoadOptions.defaults());
  }

  /**
   * Loads the SAE at {@code path}, requiring {@code d_in == hookWidth}.
   *
   * @throws InvalidInputException if the SAE's {@code d_in} differs from {@code hookWidth}
   */
  public static PureJavaSae load(Path path, int hookWidth) {
    return load(path, SaeLoadOptions.defaults().expectingDIn(hookWidth));
  }

  /**
   * Loads the SAE at {@code path}.
   *
   * @throws CheckpointFormatException if a file is missing, malformed or inconsistent
   * @throws InvalidInputException if the SAE does not fit {@code options}
   */
  public static PureJavaSae load(Path path, SaeLoadOptions options) {
    SaeLoadOptions opts = options == null ? SaeLoadOptions.defaults() : options;
    Located at = locate(path);
    SaeWeights weights;
    if (at.format == SaeFormat.SAELENS) {
      SaeLensFormat f = SaeLensFormat.open(at.path);
      SaeConfig config = f.config(opts);
      checkDIn(config, opts);
      weights = f.weights(config);
    } else {
      PatchSaeFormat f = PatchSaeFormat.open(at.path);
      SaeConfig config = f.config(opts);
      checkDIn(config, opts);
      weights = f.weights(config);
    }
    return PureJavaSae.create(weights, opts.kernel());
  }

  /** Reads what an SAE checkpoint holds without loading the weights (PatchSAE files are parsed fully). */
  public static SaeCheckpointInfo inspect(Path path) {
    Located at = locate(path);
    if (at.format == SaeFormat.SAELENS) {
      SaeLensFormat f = SaeLensFormat.open(at.path);
      SaeConfig config = f.config(SaeLoadOptions.defaults());
      return new SaeCheckpointInfo(path, SaeFormat.SAELENS, config, f.storedDtype(), f.sparsity(config.dSae()));
    }
    PatchSaeFormat f = PatchSaeFormat.open(at.path);
    SaeConfig config = f.config(SaeLoadOptions.defaults());
    return new SaeCheckpointInfo(path, SaeFormat.PATCHSAE, config, f.storedDtype(), Optional.empty());
  }

  /** Which format a path holds: its folder (SAELens) or file (PatchSAE). */
  public static SaeFormat detect(Path path) {
    return locate(path).format;
  }

  private static void checkDIn(SaeConfig config, SaeLoadOptions opts) {
    if (opts.expectedDIn() > 0 && config.dIn() != opts.expectedDIn()) {
      throw new InvalidInputException("SAE d_in (" + config.dIn() + ") does not match hook point "
          + config.hookPoint() + " (d_model " + opts.expectedDIn() + "). Was this SAE trained on another model?");
    }
  }

  private record Located(Path path, SaeFormat format) {}

  private static Located locate(Path path) {
    InvalidInputException.check(path != null, "SAE path must not be null");
    if (!Files.exists(path)) {
      throw new CheckpointFormatException(path, "does not exist. Give an SAELens folder (cfg.json + "
          + SaeLensFormat.WEIGHTS + ") or a PatchSAE .pt file.");
    }
    if (Files.isDirectory(path)) {
      if (Files.isRegularFile(path.resolve(SaeLensFormat.CFG))) {
        return new Located(path, SaeFormat.SAELENS);
      }
      try (var files = Files.list(path)) {
        var pts = files.filter(SaeLoader::isTorchFile).toList();
        if (pts.size() == 1) {
          return new Located(pts.get(0), SaeFormat.PATCHSAE);
        }
        throw new CheckpointFormatException(path, "holds no cfg.json and " + pts.size() + " .pt/.pth files "
            + pts + "; expected an SAELens folder (cfg.json + " + SaeLensFormat.WEIGHTS
            + ") or exactly one PatchSAE .pt file. Point at the file itself.");
      } catch (java.io.IOException e) {
        throw new CheckpointFormatException(path, "cannot be listed: " + e.getMessage(), e);
      }
    }
    String name = path.getFileName().toString();
    if (isTorchFile(path)) {
      return new Located(path, SaeFormat.PATCHSAE);
    }
    if (name.equals(SaeLensFormat.CFG) || name.endsWith(".safetensors")) {
      Path dir = path.toAbsolutePath().getParent();
      return new Located(dir, SaeFormat.SAELENS);
    }
    throw new CheckpointFormatException(path, "is neither an SAELens folder/cfg.json nor a PatchSAE .pt/.pth "
        + "file. Point at the SAE's folder or its .pt file.");
  }

  private static boolean isTorchFile(Path p) {
    String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return Files.isRegularFile(p) && (n.endsWith(".pt") || n.endsWith(".pth"));
  }
}
