package org.visualscratchpad.torch.input.image;

import org.visualscratchpad.InvalidInputException;

/**
 * Pillow's convolution resampling filters, numbered as {@code PIL.Image.Resampling} (the value of
 * {@code resample} in {@code preprocessor_config.json}). Each is a kernel with a support radius;
 * {@link PillowResize} scales the support by the downscale factor (antialiasing).
 *
 * <p>{@code NEAREST} (0) is not a convolution in Pillow and is not offered.
 *
 * <pre>{@code
 * jshell> ResampleFilter.fromPil(3)
 * $1 ==> BICUBIC
 * }</pre>
 */
public enum ResampleFilter {
  /** {@code Resampling.LANCZOS} (1): windowed sinc, support 3. */
  LANCZOS(1, 3.0) {
    @Override
    double weight(double x) {
      return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0;
    }
  },
  /** {@code Resampling.BILINEAR} (2): triangle, support 1. */
  BILINEAR(2, 1.0) {
    @Override
    double weight(double x) {
      double t = x < 0.0 ? -x : x;
      return t < 1.0 ? 1.0 - t : 0.0;
    }
  },
  /** {@code Resampling.BICUBIC} (3): Keys cubic with a = -0.5, support 2 (CLIP's filter). */
  BICUBIC(3, 2.0) {
    @Override
    double weight(double x) {
      final double a = -0.5;
      double t = x < 0.0 ? -x : x;
      if (t < 1.0) {
        return ((a + 2.0) * t - (a + 3.0)) * t * t + 1;
      }
      if (t < 2.0) {
        return (((t - 5) * t + 8) * t - 4) * a;
      }
      return 0.0;
    }
  },
  /** {@code Resampling.BOX} (4): box, support 0.5. */
  BOX(4, 0.5) {
    @Override
    double weight(double x) {
      return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
    }
  },
  /** {@code Resampling.HAMMING} (5): Hamming-windowed sinc, support 1. */
  HAMMING(5, 1.0) {
    @Override
    double weight(double x) {
      double t = x < 0.0 ? -x : x;
      if (t == 0.0) {
        return 1.0;
      }
      if (t >= 1.0) {
        return 0.0;
      }
      t = t * Math.PI;
      return Math.sin(t) / t * (0.54 + 0.46 * Math.cos(t));
    }
  };

  private final int pilCode;
  private final double support;

  ResampleFilter(int pilCode, double support) {
    this.pilCode = pilCode;
    this.support = support;
  }

  /** The kernel's value at {@code x} (in input pixels, before the downscale stretch). */
  abstract double weight(double x);

  /** The kernel's radius in input pixels at scale 1. */
  public double support() {
    return support;
  }

  /** The number Pillow and {@code preprocessor_config.json} use for this filter. */
  public int pilCode() {
    return pilCode;
  }

  /**
   * The filter numbered {@code code} as in {@code PIL.Image.Resampling}.
   *
   * @throws InvalidInputException for 0 (NEAREST) or an unknown number
   */
  public static ResampleFilter fromPil(int code) {
    for (ResampleFilter f : values()) {
      if (f.pilCode == code) {
        return f;
      }
    }
    throw new InvalidInputException(String.format(
        "resample (%s) must be one of Pillow's convolution filters: 1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX, 5 HAMMING"
            + " (0 NEAREST is not supported). CLIP checkpoints use 3.", code));
  }

  private static double sinc(double x) {
    if (x == 0.0) {
      return 1.0;
    }
    double t = x * Math.PI;
    return Math.sin(t) / t;
  }
}
