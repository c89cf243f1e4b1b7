package org.visualscratchpad.torch.input.image;

import java.util.Arrays;
import org.visualscratchpad.InvalidInputException;

/**
 * An immutable 8-bit RGB image, stored row-major as interleaved {@code [height x width x 3]} bytes
 * (the layout of a uint8 HWC NumPy array and of a Pillow "RGB" image). The input of every
 * preprocessing step.
 *
 * <p>Immutable and thread-safe: factories copy their input, {@link #toBytes()} copies its output.
 *
 * <pre>{@code
 * jshell> var img = RgbImage.of(1, 2, new byte[] {(byte) 255, 0, 0, 0, 0, (byte) 255})
 * img ==> RgbImage[1 x 2] (h x w)
 * jshell> img.get(0, 1, 2)
 * $2 ==> 255
 * }</pre>
 */
public final class RgbImage {
  private final int height;
  private final int width;
  private final byte[] data;

  private RgbImage(int height, int width, byte[] data) {
    this.height = height;
    this.width = width;
    this.data = data;
  }

  /**
   * An image holding a copy of {@code hwc} (length {@code height * width * 3}, unsigned bytes).
   *
   * @throws InvalidInputException if a side is not positive or the length does not match
   */
  public static RgbImage of(int height, int width, byte[] hwc) {
    check(height, width, hwc);
    return new RgbImage(height, width, hwc.clone());
  }

  /** Takes ownership of {@code hwc} without copying; for producers inside this library. */
  static RgbImage adopt(int height, int width, byte[] hwc) {
    check(height, width, hwc);
    return new RgbImage(height, width, hwc);
  }

  /** An image of one colour (channel values 0..255). */
  public static RgbImage filled(int height, int width, int red, int green, int blue) {
    byte[] d = new byte[Math.multiplyExact(Math.multiplyExact(height, width), 3)];
    for (int p = 0; p < d.length; p += 3) {
      d[p] = (byte) red;
      d[p + 1] = (byte) green;
      d[p + 2] = (byte) blue;
    }
    return adopt(height, width, d);
  }

  private static void check(int height, int width, byte[] hwc) {
    InvalidInputException.check(height > 0 && width > 0,
        "image size (%s x %s, h x w) must be positive. Pass a non-empty image.", height, width);
    InvalidInputException.check((long) height * width * 3 == hwc.length,
        "RGB data length (%s) must equal height x width x 3 (%s x %s x 3 = %s)",
        hwc.length, height, width, (long) height * width * 3);
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** Channel {@code channel} (0 = red, 1 = green, 2 = blue) of pixel {@code (y, x)}, 0..255. */
  public int get(int y, int x, int channel) {
    if (y < 0 || y >= height || x < 0 || x >= width || channel < 0 || channel > 2) {
      throw new IndexOutOfBoundsException(
          "(" + y + ", " + x + ", " + channel + ") is outside a " + height + " x " + width + " x 3 image");
    }
    return data[(y * width + x) * 3 + channel] & 0xFF;
  }

  /** A copy of the interleaved HWC bytes. */
  public byte[] toBytes() {
    return data.clone();
  }

  /** The pixels as a {@code TYPE_INT_RGB} image (a copy). */
  public java.awt.image.BufferedImage toBufferedImage() {
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(width, height,
        java.awt.image.BufferedImage.TYPE_INT_RGB);
    int[] rgb = new int[width * height];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (data[3 * i] & 0xFF) << 16 | (data[3 * i + 1] & 0xFF) << 8 | (data[3 * i + 2] & 0xFF);
    }
    img.setRGB(0, 0, width, height, rgb, 0, width);
    return img;
  }

  /** The backing array, for readers inside this package that never write to it. */
  byte[] bytes() {
    return data;
  }

  /**
   * The rectangle {@code [top, top + h) x [left, left + w)}; parts outside the image are filled
   * with black (0, 0, 0), as NumPy padding with zeros does.
   */
  public RgbImage region(int top, int left, int h, int w) {
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(h, w), 3)];
    for (int y = 0; y < h; y++) {
      int sy = top + y;
      if (sy < 0 || sy >= height) {
        continue;
      }
      int x0 = Math.max(0, -left);
      int x1 = Math.min(w, width - left);
      if (x1 > x0) {
        System.arraycopy(data, (sy * width + left + x0) * 3, out, (y * w + x0) * 3, (x1 - x0) * 3);
      }
    }
    return adopt(h, w, out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage m && m.height == height && m.width == width && Arrays.equals(m.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * height + width) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "RgbImage[" + height + " x " + width + "] (h x w)";
  }
}
