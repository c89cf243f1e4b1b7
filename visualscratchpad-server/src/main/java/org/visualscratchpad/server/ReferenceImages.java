package org.visualscratchpad.server;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.visualscratchpad.ScratchpadException;

/**
 * Where the images behind latent statistics come from, looked up by the image id that the
 * statistics store (never by a path a client sends: the page names a latent and a rank, the
 * server reads the id from the statistics and asks this source).
 *
 * <pre>{@code
 * jshell> ReferenceImages.seeded("generated scenes", seed -> drawScene(seed)).load("scene-7000003")
 * jshell> ReferenceImages.folder(Path.of("imagenet-val"), ServerOptions.defaults()).load("n01440764/a.JPEG")
 * }</pre>
 *
 * <p>Implementations are thread-safe.
 */
public interface ReferenceImages {

  /**
   * The image with this id, or empty when this source does not hold it.
   *
   * @throws WebRequestException if the image exists but cannot be read or is too large
   */
  Optional<BufferedImage> load(String imageId);

  /** One line for the page: where the images come from. */
  String describe();

  /** No images: the latent page shows the statistics and masks without pictures. */
  static ReferenceImages none() {
    return new ReferenceImages() {
      @Override
      public Optional<BufferedImage> load(String imageId) {
        return Optional.empty();
      }

      @Override
      public String describe() {
        return "no reference images: start vsp serve with --images DIR (the folder the statistics were computed on)";
      }
    };
  }

  /**
   * Pictures generated from a seed (the demo's ShapesWorld scenes: {@code vsp serve} passes its scene
   * generator): id {@code scene-<seed>} is {@code draw.apply(seed)}; any other id is not held.
   *
   * @param description the line for the page, see {@link #describe()}
   * @param draw draws the picture of one seed; called on request threads, so it must be thread-safe
   */
  static ReferenceImages seeded(String description, LongFunction<BufferedImage> draw) {
    org.visualscratchpad.InvalidInputException.check(description != null && draw != null,
        "a seeded reference image source needs a description and a drawing function (got null)");
    Pattern id = Pattern.compile("scene-(-?\\d{1,19})");
    return new ReferenceImages() {
      @Override
      public Optional<BufferedImage> load(String imageId) {
        Matcher m = id.matcher(imageId);
        if (!m.matches()) {
          return Optional.empty();
        }
        long seed;
        try {
          seed = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
        return Optional.of(draw.apply(seed));
      }

      @Override
      public String describe() {
        return description;
      }
    };
  }

  /**
   * Files under {@code root} (the folder {@code vsp stats --images} read; ids are paths relative to
   * it with {@code /}). An id that would leave {@code root} (absolute, {@code ..}, or through a link)
   * is not served. Images are decoded under {@code limits}' byte and pixel limits.
   *
   * @throws ScratchpadException if {@code root} is not a folder
   */
  static ReferenceImages folder(Path root, ServerOptions limits) {
    Path real;
    try {
      real = root.toRealPath();
    } catch (IOException e) {
      throw new ScratchpadException("reference image folder " + root + " cannot be read (" + e.getMessage()
          + "). Give the folder the statistics were computed on (--images DIR).", e);
    }
    if (!Files.isDirectory(real)) {
      throw new ScratchpadException("reference image folder " + root + " is not a folder. Give the folder the "
          + "statistics were computed on (--images DIR).");
    }
    return new ReferenceImages() {
      @Override
      public Optional<BufferedImage> load(String imageId) {
        if (imageId.isEmpty() || imageId.startsWith("/") || imageId.contains("\\") || imageId.contains("\u0000")) {
          return Optional.empty();
        }
        Path file = real.resolve(imageId).normalize();
        if (!file.startsWith(real) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          return Optional.empty();
        }
        try {
          if (!file.toRealPath().startsWith(real)) {
            return Optional.empty();
          }
          long size = Files.size(file);
          if (size > limits.maxImageBytes()) {
            throw WebRequestException.tooLarge("reference image " + imageId, size, limits.maxImageBytes(),
                "Serve smaller images or raise the image limit.");
          }
          return Optional.of(ImageUpload.decode(Files.readAllBytes(file), limits));
        } catch (IOException e) {
          throw new WebRequestException(500, "reference image " + imageId + " could not be read (" + e.getMessage() + ").");
        }
      }

      @Override
      public String describe() {
        return "files under " + real;
      }
    };
  }
}
