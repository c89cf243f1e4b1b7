package org.visualscratchpad.torch.input.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.visualscratchpad.InvalidInputException;

/**
 * Decodes image files (PNG, JPEG incl. CMYK/YCCK through TwelveMonkeys, GIF, BMP, whatever ImageIO
 * readers are installed) into 8-bit {@link RgbImage}s, safely: the pixel count is read from the
 * header and checked against a limit before any pixel is decoded, so a small file that claims to
 * be a 100,000 x 100,000 image cannot exhaust memory.
 *
 * <p>Conversion to RGB follows Pillow's {@code Image.convert("RGB")}, which is what HF's {@code
 * convert_to_rgb} calls: grey levels are replicated to R, G and B (raw samples, no gamma
 * conversion, unlike {@code Graphics.drawImage}); palette images are looked up; alpha is dropped
 * (not composited); embedded colour profiles are ignored; 16-bit samples keep their high byte
 * (Pillow's unpacking of 16-bit RGB PNGs; for 16-bit grey Pillow clips to 255 instead, which turns
 * almost every pixel white, so this library deliberately scales). CMYK JPEGs are converted by
 * TwelveMonkeys. EXIF orientation is not applied (neither does {@code PIL.Image.open}).
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var img = ImageDecoder.defaults().decode(Path.of("cat.jpg"))
 * img ==> RgbImage[480 x 640] (h x w)
 * jshell> ImageDecoder.defaults().withMaxPixels(1_000_000).decode(Path.of("huge.png"))
 * |  Exception org.visualscratchpad.InvalidInputException: image huge.png (20000 x 15000 = 300000000 pixels) must have at most 1000000 pixels. ...
 * }</pre>
 */
public final class ImageDecoder {
  /** The default limit: 64 megapixels (an RGB copy of that is 192 MB). */
  public static final long DEFAULT_MAX_PIXELS = 64_000_000L;

  private static final ImageDecoder DEFAULTS = new ImageDecoder(DEFAULT_MAX_PIXELS);

  private final long maxPixels;

  private ImageDecoder(long maxPixels) {
    this.maxPixels = maxPixels;
  }

  /** A decoder with the {@link #DEFAULT_MAX_PIXELS} limit. */
  public static ImageDecoder defaults() {
    return DEFAULTS;
  }

  /**
   * This decoder with another pixel limit.
   *
   * @throws InvalidInputException if {@code limit} is not positive
   */
  public ImageDecoder withMaxPixels(long limit) {
    InvalidInputException.check(limit > 0, "pixel limit (%s) must be positive", limit);
    return new ImageDecoder(limit);
  }

  /** The largest {@code width * height} this decoder accepts. */
  public long maxPixels() {
    return maxPixels;
  }

  /**
   * Decodes {@code file}.
   *
   * @throws InvalidInputException naming the file if it does not exist, is empty, is not an image
   *     any installed reader understands, is corrupt, or has more pixels than the limit
   */
  public RgbImage decode(Path file) {
    long bytes;
    try {
      bytes = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("image file " + file + " does not exist. Check the path.", e);
    } catch (IOException e) {
      throw new InvalidInputException("image file " + file + " cannot be read: " + e.getMessage(), e);
    }
    if (Files.isDirectory(file)) {
      throw new InvalidInputException("image file " + file + " is a folder, not an image file.");
    }
    if (bytes == 0) {
      throw new InvalidInputException("image file " + file + " is empty (0 bytes). Pass a PNG or JPEG file.");
    }
    try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
      return decode(in, file.toString());
    } catch (IOException e) {
      throw new InvalidInputException("image file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * Decodes an encoded image held in memory; {@code sourceName} names it in error messages.
   *
   * @throws InvalidInputException as {@link #decode(Path)}
   */
  public RgbImage decode(byte[] encoded, String sourceName) {
    if (encoded.length == 0) {
      throw new InvalidInputException("image " + sourceName + " is empty (0 bytes). Pass a PNG or JPEG file.");
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
      return decode(in, sourceName);
    } catch (IOException e) {
      throw new InvalidInputException("image " + sourceName + " cannot be read: " + e.getMessage(), e);
    }
  }

  private RgbImage decode(ImageInputStream in, String name) throws IOException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      throw new InvalidInputException("image " + name + " is not an image format ImageIO can read (PNG, JPEG, GIF,"
          + " BMP, ...). Check that the file is an image and not truncated.");
    }
    ImageReader reader = readers.next();
    try {
      reader.setInput(in, true, true);
      int width;
      int height;
      try {
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw new InvalidInputException("image " + name + " has an unreadable " + reader.getFormatName()
            + " header: " + e.getMessage(), e);
      }
      long pixels = (long) width * height;
      InvalidInputException.check(width > 0 && height > 0, "image %s (%s x %s) must not be empty", name, width, height);
      if (pixels > maxPixels) {
        throw new InvalidInputException(String.format(
            "image %s (%d x %d = %d pixels) must have at most %d pixels. Downscale it first, or raise the limit with"
                + " ImageDecoder.withMaxPixels(...).", name, width, height, pixels, maxPixels));
      }
      BufferedImage image;
      try {
        image = reader.read(0);
      } catch (IOException | RuntimeException e) {
        throw new InvalidInputException("image " + name + " is corrupt or truncated (" + reader.getFormatName()
            + " decoding failed: " + e.getMessage() + ")", e);
      }
      return toRgb(image);
    } finally {
      reader.dispose();
    }
  }

  /**
   * An 8-bit RGB copy of {@code image}, converted as the class documentation describes.
   *
   * @throws InvalidInputException if the image is empty
   */
  public static RgbImage toRgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    InvalidInputException.check(w > 0 && h > 0, "image (%s x %s) must not be empty", w, h);
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    int csType = cm.getColorSpace().getType();
    if (cm instanceof IndexColorModel icm) {
      int[] idx = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, idx);
        for (int x = 0; x < w; x++) {
          int p = (y * w + x) * 3;
          out[p] = (byte) icm.getRed(idx[x]);
          out[p + 1] = (byte) icm.getGreen(idx[x]);
          out[p + 2] = (byte) icm.getBlue(idx[x]);
        }
      }
    } else if ((cm instanceof ComponentColorModel || cm instanceof DirectColorModel)
        && (csType == ColorSpace.TYPE_GRAY || csType == ColorSpace.TYPE_RGB)) {
      boolean gray = csType == ColorSpace.TYPE_GRAY;
      int[] samples = new int[w];
      for (int band = 0; band < 3; band++) {
        int source = gray ? 0 : band;
        int bits = cm.getComponentSize(source);
        for (int y = 0; y < h; y++) {
          raster.getSamples(0, y, w, 1, source, samples);
          for (int x = 0; x < w; x++) {
            out[(y * w + x) * 3 + band] = (byte) to8Bit(samples[x], bits);
          }
        }
      }
    } else {
      // Other colour spaces (CMYK rasters from other readers, YCbCr, ...): colour-managed conversion.
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int rgb = image.getRGB(x, y);
          int p = (y * w + x) * 3;
          out[p] = (byte) (rgb >> 16);
          out[p + 1] = (byte) (rgb >> 8);
          out[p + 2] = (byte) rgb;
        }
      }
    }
    return RgbImage.adopt(h, w, out);
  }

  private static int to8Bit(int sample, int bits) {
    if (bits == 8) {
      return sample;
    }
    if (bits > 8) {
      return sample >>> (bits - 8);
    }
    int max = (1 << bits) - 1;
    return (sample * 255 + max / 2) / max;
  }

  @Override
  public String toString() {
    return "ImageDecoder[maxPixels=" + maxPixels + "]";
  }
}
