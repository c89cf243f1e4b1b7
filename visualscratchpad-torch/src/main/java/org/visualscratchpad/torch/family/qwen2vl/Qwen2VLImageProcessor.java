package org.visualscratchpad.torch.family.qwen2vl;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.input.image.PillowResize;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.torch.input.preprocess.ImageSize;

/**
 * Hugging Face's {@code Qwen2VLImageProcessor} (transformers 4.45, the slow Pillow-based one) for still
 * images: {@link #smartResize} to multiples of {@code patch_size * merge_size} (28) holding between {@code
 * min_pixels} and {@code max_pixels} pixels, so the token count varies with the image; Pillow resize on
 * 8-bit data; rescale ({@code float32(u8 * rescale_factor)} computed in double) and normalise ({@code (v -
 * mean) / std} in float32); the frame repeated {@code temporal_patch_size} times in time; and the patches
 * flattened in merge-window order ({@link Qwen2VLImage}).
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var proc = Qwen2VLImageProcessor.of(Qwen2VLProcessorConfig.read(Path.of("Qwen2-VL-7B-Instruct")))
 * jshell> proc.smartResize(480, 640)
 * $2 ==> 476x644 (h x w)
 * jshell> proc.preprocess(ImageDecoder.defaults().decode(Path.of("cat.jpg"))).grid()
 * $3 ==> GridThw[1 x 34 x 46]
 * }</pre>
 */
public final class Qwen2VLImageProcessor {
  /** Largest aspect ratio {@code smart_resize} accepts. */
  public static final int MAX_RATIO = 200;

  private final Qwen2VLProcessorConfig config;
  private final float[] mean = new float[3];
  private final float[] std = new float[3];

  private Qwen2VLImageProcessor(Qwen2VLProcessorConfig config) {
    this.config = config;
    for (int c = 0; c < 3; c++) {
      mean[c] = config.imageMean().get(c).floatValue();
      std[c] = config.imageStd().get(c).floatValue();
    }
  }

  /** A processor with the settings of {@code config}. */
  public static Qwen2VLImageProcessor of(Qwen2VLProcessorConfig config) {
    InvalidInputException.check(config != null, "config must not be null");
    return new Qwen2VLImageProcessor(config);
  }

  public Qwen2VLProcessorConfig config() {
    return config;
  }

  /**
   * {@code smart_resize}: each side rounded (half to even) to a multiple of {@code factor}; if that holds
   * more than {@code max_pixels}, both sides are scaled down by {@code sqrt(h w / max_pixels)} and floored
   * to the factor, if fewer than {@code min_pixels}, scaled up by {@code sqrt(min_pixels / (h w))} and
   * ceiled.
   *
   * @throws InvalidInputException if a side is shorter than the factor (28 px), the aspect ratio exceeds
   *     200, or the image is so elongated that a side would shrink to nothing under {@code max_pixels}
   */
  public ImageSize smartResize(int height, int width) {
    int factor = config.factor();
    InvalidInputException.check(height >= factor && width >= factor,
        "image (%s x %s, h x w) must be at least %s px on each side for Qwen2-VL (patch_size x merge_size). "
            + "Upscale or pad the image.", height, width, factor);
    InvalidInputException.check((double) Math.max(height, width) / Math.min(height, width) <= MAX_RATIO,
        "image aspect ratio (%s x %s, h x w) must be at most %s. Crop the image.", height, width, MAX_RATIO);
    long hBar = (long) Math.rint((double) height / factor) * factor;
    long wBar = (long) Math.rint((double) width / factor) * factor;
    if (hBar * wBar > config.maxPixels()) {
      double beta = Math.sqrt((double) height * width / config.maxPixels());
      hBar = (long) Math.floor(height / beta / factor) * factor;
      wBar = (long) Math.floor(width / beta / factor) * factor;
    } else if (hBar * wBar < config.minPixels()) {
      double beta = Math.sqrt((double) config.minPixels() / ((double) height * width));
      hBar = (long) Math.ceil(height * beta / factor) * factor;
      wBar = (long) Math.ceil(width * beta / factor) * factor;
    }
    InvalidInputException.check(hBar >= factor && wBar >= factor,
        "image (%s x %s, h x w) is too elongated for max_pixels (%s): it would shrink to %s x %s. Crop the image "
            + "or raise max_pixels in preprocessor_config.json.", height, width, config.maxPixels(), hBar, wBar);
    return new ImageSize(Math.toIntExact(hBar), Math.toIntExact(wBar));
  }

  /** The size {@link #preprocess} resizes an image of {@code original} size to. */
  public ImageSize plan(ImageSize original) {
    InvalidInputException.check(original != null, "image size must not be null");
    if (!config.doResize()) {
      int factor = config.factor();
      InvalidInputException.check(original.height() % factor == 0 && original.width() % factor == 0,
          "image %s must be a multiple of %s px on each side when do_resize is false", original, factor);
      return original;
    }
    return smartResize(original.height(), original.width());
  }

  /** The patch grid of an image of {@code original} size ({@code t = 1}). */
  public GridThw gridFor(ImageSize original) {
    ImageSize r = plan(original);
    return new GridThw(1, r.height() / config.patchSize(), r.width() / config.patchSize());
  }

  /** Resizes, rescales, normalises and flattens one image. */
  public Qwen2VLImage preprocess(RgbImage image) {
    InvalidInputException.check(image != null, "image must not be null");
    ImageSize original = new ImageSize(image.height(), image.width());
    ImageSize size = plan(original);
    RgbImage resized = config.doResize()
        ? PillowResize.resize(image, size.height(), size.width(), config.resample())
        : image;
    float[] chw = normalize(resized);
    int ps = config.patchSize();
    int m = config.mergeSize();
    int tp = config.temporalPatchSize();
    int gh = size.height() / ps;
    int gw = size.width() / ps;
    GridThw grid = new GridThw(1, gh, gw);
    int cols = config.patchValues();
    int plane = size.height() * size.width();
    int width = size.width();
    float[] out = new float[Math.multiplyExact(grid.patches(), cols)];
    int row = 0;
    for (int bh = 0; bh < gh / m; bh++) {
      for (int bw = 0; bw < gw / m; bw++) {
        for (int mh = 0; mh < m; mh++) {
          for (int mw = 0; mw < m; mw++) {
            int y0 = (bh * m + mh) * ps;
            int x0 = (bw * m + mw) * ps;
            int at = row * cols;
            for (int c = 0; c < 3; c++) {
              for (int t = 0; t < tp; t++) {   // a still image: every temporal slice is the same frame
                for (int py = 0; py < ps; py++) {
                  System.arraycopy(chw, c * plane + (y0 + py) * width + x0, out, at, ps);
                  at += ps;
                }
              }
            }
            row++;
          }
        }
      }
    }
    return new Qwen2VLImage(original, size, grid, FloatMatrix.adopt(grid.patches(), cols, out));
  }

  /** Rescale and normalise an 8-bit image into channel-first float32 {@code [3, H, W]}. */
  private float[] normalize(RgbImage image) {
    int plane = image.height() * image.width();
    byte[] src = image.toBytes();
    float[] out = new float[3 * plane];
    double factor = config.rescaleFactor();
    for (int p = 0; p < plane; p++) {
      for (int c = 0; c < 3; c++) {
        int u8 = src[p * 3 + c] & 0xFF;
        float v = config.doRescale() ? (float) (u8 * factor) : (float) u8;
        if (config.doNormalize()) {
          v = (v - mean[c]) / std[c];
        }
        out[c * plane + p] = v;
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "Qwen2VLImageProcessor[" + config + "]";
  }
}
