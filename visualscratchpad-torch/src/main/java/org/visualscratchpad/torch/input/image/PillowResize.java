package org.visualscratchpad.torch.input.image;

import org.visualscratchpad.InvalidInputException;

/**
 * Resizes 8-bit RGB images exactly as Pillow's {@code Image.resize(size, resample)} does for an
 * "RGB" image (its {@code ImagingResample} 8-bit path, {@code reducing_gap=None}), which is what
 * Hugging Face's slow image processors call.
 *
 * <p>The algorithm: separable convolution, the horizontal pass first (only when the width
 * changes) into an 8-bit intermediate, then the vertical pass (only when the height changes). Per
 * axis {@code scale = in / out} and the kernel's support is stretched by {@code max(scale, 1)}, so
 * a downscale averages every input pixel (antialiasing). For output pixel {@code o} the centre is
 * {@code (o + 0.5) * scale}; taps run over {@code [(int)(centre - support + 0.5), (int)(centre +
 * support + 0.5))} clipped to the input; weights are normalised to sum 1, converted to 22-bit fixed
 * point ({@code (int)(w * 2^22 ± 0.5)}), accumulated from {@code 2^21} and the result is clipped to
 * 0..255 after the shift. Same-size resizes return the input unchanged (Pillow returns a copy).
 *
 * <p>Stateless and thread-safe.
 *
 * <pre>{@code
 * jshell> PillowResize.resize(RgbImage.filled(30, 50, 10, 20, 30), 34, 56, ResampleFilter.BICUBIC)
 * $1 ==> RgbImage[34 x 56] (h x w)
 * }</pre>
 */
public final class PillowResize {
  private static final int PRECISION_BITS = 32 - 8 - 2;

  private PillowResize() {}

  /**
   * {@code image} resized to {@code height x width}.
   *
   * @throws InvalidInputException if a target side is not positive
   */
  public static RgbImage resize(RgbImage image, int height, int width, ResampleFilter filter) {
    InvalidInputException.check(height > 0 && width > 0,
        "resize target (%s x %s, h x w) must be positive", height, width);
    RgbImage current = image;
    if (width != image.width()) {
      current = horizontal(current, width, filter);
    }
    if (height != image.height()) {
      current = vertical(current, height, filter);
    }
    return current;
  }

  /** Per output index: first tap, tap count, and the fixed-point weights (ksize per output). */
  private record Coefficients(int[] first, int[] count, int[] weights, int ksize) {}

  private static Coefficients coefficients(int inSize, int outSize, ResampleFilter filter) {
    double scale = (double) inSize / outSize;
    double filterscale = scale < 1.0 ? 1.0 : scale;
    double support = filter.support() * filterscale;
    int ksize = (int) Math.ceil(support) * 2 + 1;
    int[] first = new int[outSize];
    int[] count = new int[outSize];
    int[] weights = new int[outSize * ksize];
    double[] k = new double[ksize];
    double ss = 1.0 / filterscale;
    for (int out = 0; out < outSize; out++) {
      double center = 0.0 + (out + 0.5) * scale;
      int xmin = (int) (center - support + 0.5);
      if (xmin < 0) {
        xmin = 0;
      }
      int xmax = (int) (center + support + 0.5);
      if (xmax > inSize) {
        xmax = inSize;
      }
      xmax -= xmin;
      double ww = 0.0;
      for (int x = 0; x < xmax; x++) {
        double w = filter.weight((x + xmin - center + 0.5) * ss);
        k[x] = w;
        ww += w;
      }
      for (int x = 0; x < xmax; x++) {
        double w = ww != 0.0 ? k[x] / ww : k[x];
        weights[out * ksize + x] =
            w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS)) : (int) (0.5 + w * (1 << PRECISION_BITS));
      }
      first[out] = xmin;
      count[out] = xmax;
    }
    return new Coefficients(first, count, weights, ksize);
  }

  private static int clip8(int acc) {
    if (acc >= (1 << PRECISION_BITS << 8)) {
      return 255;
    }
    if (acc <= 0) {
      return 0;
    }
    return acc >> PRECISION_BITS;
  }

  private static RgbImage horizontal(RgbImage in, int outWidth, ResampleFilter filter) {
    Coefficients c = coefficients(in.width(), outWidth, filter);
    int h = in.height();
    int inWidth = in.width();
    byte[] src = in.bytes();
    byte[] dst = new byte[Math.multiplyExact(Math.multiplyExact(h, outWidth), 3)];
    int half = 1 << (PRECISION_BITS - 1);
    for (int y = 0; y < h; y++) {
      int rowBase = y * inWidth * 3;
      for (int xx = 0; xx < outWidth; xx++) {
        int xmin = c.first[xx];
        int n = c.count[xx];
        int kBase = xx * c.ksize;
        int s0 = half;
        int s1 = half;
        int s2 = half;
        for (int x = 0; x < n; x++) {
          int p = rowBase + (x + xmin) * 3;
          int w = c.weights[kBase + x];
          s0 += (src[p] & 0xFF) * w;
          s1 += (src[p + 1] & 0xFF) * w;
          s2 += (src[p + 2] & 0xFF) * w;
        }
        int q = (y * outWidth + xx) * 3;
        dst[q] = (byte) clip8(s0);
        dst[q + 1] = (byte) clip8(s1);
        dst[q + 2] = (byte) clip8(s2);
      }
    }
    return RgbImage.adopt(h, outWidth, dst);
  }

  private static RgbImage vertical(RgbImage in, int outHeight, ResampleFilter filter) {
    Coefficients c = coefficients(in.height(), outHeight, filter);
    int w = in.width();
    int stride = w * 3;
    byte[] src = in.bytes();
    byte[] dst = new byte[Math.multiplyExact(Math.multiplyExact(outHeight, w), 3)];
    int half = 1 << (PRECISION_BITS - 1);
    for (int yy = 0; yy < outHeight; yy++) {
      int ymin = c.first[yy];
      int n = c.count[yy];
      int kBase = yy * c.ksize;
      for (int xx = 0; xx < w; xx++) {
        int s0 = half;
        int s1 = half;
        int s2 = half;
        for (int y = 0; y < n; y++) {
          int p = (y + ymin) * stride + xx * 3;
          int wt = c.weights[kBase + y];
          s0 += (src[p] & 0xFF) * wt;
          s1 += (src[p + 1] & 0xFF) * wt;
          s2 += (src[p + 2] & 0xFF) * wt;
        }
        int q = (yy * w + xx) * 3;
        dst[q] = (byte) clip8(s0);
        dst[q + 1] = (byte) clip8(s1);
        dst[q + 2] = (byte) clip8(s2);
      }
    }
    return RgbImage.adopt(outHeight, w, dst);
  }
}
