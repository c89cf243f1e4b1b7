package org.visualscratchpad.samples.shapes;

import java.awt.image.BufferedImage;
import java.io.IOException;
import org.visualscratchpad.ScratchpadException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.visualscratchpad.InvalidInputException;

/**
 * An immutable 8-bit RGB image, row-major {@code [height, width, 3]} (HWC), as decoded image files
 * and Hugging Face image processors see it.
 *
 * <pre>{@code
 * jshell> var image = new SceneGenerator().generate(7, SceneDistribution.TRAINING).image()
 * image ==> RgbImage[64 x 64]
 * jshell> image.get(0, 0, 0)   // red channel of the top-left pixel, 0-255
 * }</pre>
 *
 * <p>Thread-safe (immutable).
 */
public final class RgbImage {
  private final int width;
  private final int height;
  private final byte[] rgb;

  private RgbImage(int width, int height, byte[] rgb) {
    this.width = width;
    this.height = height;
    this.rgb = rgb;
  }

  /**
   * An image holding a copy of {@code rgb} ({@code [height, width, 3]}, row-major).
   *
   * @throws InvalidInputException if the length is not {@code width * height * 3}
   */
  public static RgbImage of(int width, int height, byte[] rgb) {
    InvalidInputException.check(width > 0 && height > 0, "image size (%s x %s) must be positive", width, height);
    InvalidInputException.check(rgb.length == width * height * 3,
        "RGB data length (%s) must be width x height x 3 (%s)", rgb.length, width * height * 3);
    return new RgbImage(width, height, rgb.clone());
  }

  static RgbImage adopt(int width, int height, byte[] rgb) {
    return new RgbImage(width, height, rgb);
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Channel {@code channel} (0 red, 1 green, 2 blue) of pixel {@code (x, y)}, 0-255. */
  public int get(int x, int y, int channel) {
    return rgb[(y * width + x) * 3 + channel] & 0xff;
  }

  /** A copy of the pixels, {@code [height, width, 3]} row-major. */
  public byte[] toBytes() {
    return rgb.clone();
  }

  /** The image as an AWT image of type {@code TYPE_INT_RGB}. */
  public BufferedImage toBufferedImage() {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        out.setRGB(x, y, (get(x, y, 0) << 16) | (get(x, y, 1) << 8) | get(x, y, 2));
      }
    }
    return out;
  }

  /** Writes the image as a PNG (lossless), creating parent folders. */
  public void writePng(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      ImageIO.write(toBufferedImage(), "png", file.toFile());
    } catch (IOException e) {
      throw new ScratchpadException("PNG file (" + file + ") could not be written: " + e.getMessage() + ". Check the folder is writable.", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage && ((RgbImage) o).width == width && ((RgbImage) o).height == height
        && java.util.Arrays.equals(((RgbImage) o).rgb, rgb);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(rgb) * 31 + width;
  }

  @Override
  public String toString() {
    return "RgbImage[" + width + " x " + height + "]";
  }
}
