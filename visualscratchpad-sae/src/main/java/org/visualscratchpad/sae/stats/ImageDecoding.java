package org.visualscratchpad.sae.stats;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.visualscratchpad.InvalidInputException;

/**
 * How a statistics run turns an image file's bytes into pixels, the same on one machine and on a
 * cluster: bytes above {@link Limits#maxBytes()} are not read, an image whose header declares more
 * than {@link Limits#maxPixels()} pixels is not decoded (no out-of-memory on a crafted or huge
 * file), and a file that no ImageIO reader recognises, that fails to decode or that ends early (a
 * truncated JPEG, which ImageIO would otherwise return with its missing part grey: the reader's
 * "premature end" or "truncated" warning, a missing end-of-image marker included) is refused with the
 * reason.
 *
 * <pre>{@code
 * jshell> ImageDecoding.decode(Files.readAllBytes(Path.of("cat.jpg")), ImageDecoding.Limits.defaults())
 * $1 ==> Decoded[image=BufferedImage@... 500x375, reason=null]
 * jshell> ImageDecoding.decode(new byte[] {1, 2, 3}, ImageDecoding.Limits.defaults()).reason()
 * $2 ==> "not an image (no ImageIO reader recognised it)"
 * }</pre>
 */
public final class ImageDecoding {

  /**
   * The largest image a run accepts.
   *
   * @param maxBytes largest encoded file in bytes (default 64 MiB)
   * @param maxPixels largest width x height the header may declare (default 100,000,000)
   */
  public record Limits(long maxBytes, long maxPixels) {
    public Limits {
      InvalidInputException.check(maxBytes > 0 && maxBytes <= Integer.MAX_VALUE - 8,
          "maxBytes (%s) must lie in [1, %s]", maxBytes, Integer.MAX_VALUE - 8);
      InvalidInputException.check(maxPixels > 0, "maxPixels (%s) must be > 0", maxPixels);
    }

    /** 64 MiB and 100 megapixels: far above any photo dataset's images, far below what exhausts a heap. */
    public static Limits defaults() {
      return new Limits(64L << 20, 100_000_000L);
    }
  }

  /**
   * An image or why there is none: exactly one of the two is non-null.
   *
   * @param image the decoded pixels
   * @param reason e.g. {@code "truncated image (Premature end of JPEG file)"}
   */
  public record Decoded(BufferedImage image, String reason) {
    /** Whether the image was decoded. */
    public boolean ok() {
      return image != null;
    }
  }

  private ImageDecoding() {}

  /**
   * The bytes of {@code file}, or null with {@code reason[0]} set when it is missing, unreadable or
   * larger than {@code limits.maxBytes()}.
   */
  public static byte[] readFile(Path file, Limits limits, String[] reason) {
    try {
      long size = Files.size(file);
      if (size > limits.maxBytes()) {
        reason[0] = String.format(Locale.ROOT, "image file too large (%d bytes; the limit is %d)", size, limits.maxBytes());
        return null;
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      reason[0] = "file not found";
      return null;
    } catch (IOException | RuntimeException e) {
      reason[0] = "unreadable file: " + e.getMessage();
      return null;
    }
  }

  /** Decodes {@code bytes} within {@code limits}; never throws for bad data. */
  public static Decoded decode(byte[] bytes, Limits limits) {
    if (bytes == null || bytes.length == 0) {
      return new Decoded(null, "empty file");
    }
    if (bytes.length > limits.maxBytes()) {
      return new Decoded(null, String.format(Locale.ROOT, "image file too large (%d bytes; the limit is %d)",
          bytes.length, limits.maxBytes()));
    }
    try (InputStream in = new ByteArrayInputStream(bytes);
        ImageInputStream stream = new MemoryCacheImageInputStream(in)) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
      if (!readers.hasNext()) {
        return new Decoded(null, "not an image (no ImageIO reader recognised it)");
      }
      ImageReader reader = readers.next();
      List<String> warnings = new ArrayList<>();
      try {
        reader.setInput(stream, true, true);
        reader.addIIOReadWarningListener(new IIOReadWarningListener() {
          @Override
          public void warningOccurred(ImageReader source, String warning) {
            warnings.add(warning);
          }
        });
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
          return new Decoded(null, String.format(Locale.ROOT, "image declares an empty size (%d x %d)", width, height));
        }
        if (width * height > limits.maxPixels()) {
          return new Decoded(null, String.format(Locale.ROOT, "image too large (%d x %d = %d pixels; the limit is %d)",
              width, height, width * height, limits.maxPixels()));
        }
        BufferedImage image = reader.read(0);
        for (String warning : warnings) {
          String w = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
          if (w.contains("premature end") || w.contains("truncated")) {
            return new Decoded(null, "truncated image (" + warning + ")");
          }
        }
        return image == null ? new Decoded(null, "not an image (the " + reader.getFormatName() + " reader returned none)")
            : new Decoded(image, null);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      return new Decoded(null, "unreadable image: " + e.getMessage());
    }
  }
}
