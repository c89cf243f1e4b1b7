package org.visualscratchpad.torch.family.qwen2vl;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.input.image.PillowResize;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.torch.input.preprocess.ImageInputs;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.PixelValues;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.torch.input.preprocess.ResizeTarget;

/**
 * Hugging Face's {@code Qwen2VLImageProcessor} (transformers 4.45, the slow Pillow-based one) for still
 * images: {@link #smartResize} to multiples of {@code patch_size * merge_size} (28) holding between {@code
 * min_pixels} and {@code max_pixels} pixels, so the token count varies with the image; Pillow resize on
 * 8-bit data; rescale ({@code float32(u8 * rescale_factor)} computed in double) and normalise ({@code (v -
 * mean) / std} in float32); the frame repeated {@code temporal_patch_size} times in time; and the patches
 * flattened in merge-window order ({@link Qwen2VLImage}, HF's {@code pixel_values} rows).
 *
 * <p>As the input pipeline's {@link ImagePreprocessor}, {@link #preprocess} hands over the resized,
 * normalised image as one channel-first crop ({@code [3, H, W]}, {@link Qwen2VLGeometry}); the model flattens it
 * into patches ({@link #patchify}), a pure reordering, so both forms hold the same values. The model also takes
 * HF's flattened form directly ({@link #imageInputs}).
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var proc = Qwen2VLImageProcessor.of(Qwen2VLProcessorConfig.read(Path.of("Qwen2-VL-7B-Instruct")))
 * jshell> proc.smartResize(480, 640)
 * $2 ==> 476x644 (h x w)
 * jshell> proc.patches(ImageDecoder.defaults().decode(Path.of("cat.jpg"))).grid()
 * $3 ==> GridThw[1 x 34 x 46]
 * }</pre>
 */
public final class Qwen2VLImageProcessor implements ImagePreprocessor {
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

  /** The processor's own settings ({@code min_pixels}, {@code max_pixels}, patch, merge, normalisation). */
  public Qwen2VLProcessorConfig settings() {
    return config;
  }

  /**
   * The normalisation part of the settings in the form every processor shares (mean, std, rescale, resample);
   * its {@code size} and crop say nothing about Qwen2-VL's resize, which is {@link #smartResize} by {@link
   * #settings()}.
   */
  @Override
  public PreprocessorConfig config() {
    int factor = config.factor();
    return new PreprocessorConfig("Qwen2VLImageProcessor", true, config.doResize(), new ResizeTarget.ShortestEdge(factor),
        config.resample(), false, new ImageSize(factor, factor), config.doRescale(), config.rescaleFactor(),
        config.doNormalize(), config.imageMean(), config.imageStd(), List.of());
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

  /** The geometry {@link #preprocess} gives an image of size {@code original}: its {@link #resizedSize}. */
  @Override
  public Qwen2VLGeometry plan(ImageSize original) {
    return new Qwen2VLGeometry(original, resizedSize(original));
  }

  /** The size {@link #preprocess} resizes an image of {@code original} size to. */
  public ImageSize resizedSize(ImageSize original) {
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
    ImageSize r = resizedSize(original);
    return new GridThw(1, r.height() / config.patchSize(), r.width() / config.patchSize());
  }

  /** Resizes, rescales and normalises one image: one channel-first crop {@code [3, H, W]} of the resized size. */
  @Override
  public ImageInputs preprocess(RgbImage image) {
    InvalidInputException.check(image != null, "image must not be null");
    ImageSize original = new ImageSize(image.height(), image.width());
    Qwen2VLGeometry geometry = plan(original);
    ImageSize size = geometry.resized();
    RgbImage resized = config.doResize()
        ? PillowResize.resize(image, size.height(), size.width(), config.resample())
        : image;
    float[] chw = normalize(resized);
    PixelValues crop = new PixelValues(size.height(), size.width(),
        FloatMatrix.adopt(3, size.height() * size.width(), chw));
    return new ImageInputs(original, List.of(crop), geometry);
  }

  /** Resizes, rescales, normalises and flattens one image: HF's {@code pixel_values} rows and {@code image_grid_thw}. */
  public Qwen2VLImage patches(RgbImage image) {
    ImageInputs in = preprocess(image);
    PixelValues crop = in.crops().get(0);
    GridThw grid = new GridThw(1, crop.height() / config.patchSize(), crop.width() / config.patchSize());
    float[] rows = patchify(crop.toArray(), crop.height(), crop.width(), config.patchSize(), config.mergeSize(),
        config.temporalPatchSize());
    return new Qwen2VLImage(in.imageSize(), new ImageSize(crop.height(), crop.width()), grid,
        FloatMatrix.adopt(grid.patches(), config.patchValues(), rows));
  }

  /**
   * A channel-first image {@code [3, height, width]} as HF's flattened patches: rows in merge-window order
   * {@code (h / merge, w / merge, merge, merge)}, each {@code (channel, temporal, y, x)} with the frame repeated
   * {@code temporal} times.
   *
   * @return {@code [(height / patch) * (width / patch), 3 * temporal * patch^2]}
   * @throws InvalidInputException if a side is not a multiple of {@code patch * merge}
   */
  public static float[] patchify(float[] chw, int height, int width, int ps, int m, int tp) {
    InvalidInputException.check(height % (ps * m) == 0 && width % (ps * m) == 0 && chw.length == 3L * height * width,
        "image [3, %s, %s] (%s values) must be whole %s px merge windows", height, width, chw.length, ps * m);
    int gh = height / ps;
    int gw = width / ps;
    int cols = 3 * tp * ps * ps;
    int plane = height * width;
    float[] out = new float[Math.multiplyExact(gh * gw, cols)];
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
    return out;
  }

  /**
   * Model inputs in HF's form: {@code pixel_values} {@code [sum t*h*w, 3*2*14*14]} (every image's flattened
   * patches, in order) and {@code image_grid_thw} {@code [images, 3]}; image {@code i} becomes its rows {@code
   * [t*h*w, 3*2*14*14]} with its grid {@code [t, h, w]}. Its original size is {@code originalShape.apply(i)}'s
   * first two entries (a raw image's {@code [H, W, 3]}) or, where that gives null, the resized size.
   *
   * @param indices the images to take, in that order
   * @throws InvalidInputException if the rows do not match the grids
   */
  public static List<org.visualscratchpad.torch.llava.ImageInput> imageInputs(
      org.visualscratchpad.torch.trace.DenseTensor pixelValues, long[][] gridThw,
      java.util.function.IntFunction<long[]> originalShape, List<Integer> indices, Qwen2VLVisionConfig v) {
    int cols = v.patchValues();
    InvalidInputException.check(pixelValues.rank() == 2 && pixelValues.dim(1) == cols,
        "pixel_values %s must be [patches, %s] (Qwen2-VL's flattened patches)",
        java.util.Arrays.toString(pixelValues.shape()), cols);
    int[] offset = new int[gridThw.length + 1];
    GridThw[] grids = new GridThw[gridThw.length];
    for (int i = 0; i < gridThw.length; i++) {
      InvalidInputException.check(gridThw[i].length == 3, "image_grid_thw row %s must be (t, h, w)", i);
      grids[i] = new GridThw(Math.toIntExact(gridThw[i][0]), Math.toIntExact(gridThw[i][1]),
          Math.toIntExact(gridThw[i][2]));
      offset[i + 1] = offset[i] + grids[i].patches();
    }
    InvalidInputException.check(offset[grids.length] == pixelValues.dim(0),
        "image_grid_thw gives %s patches but pixel_values holds %s rows", offset[grids.length], pixelValues.dim(0));
    List<org.visualscratchpad.torch.llava.ImageInput> out = new java.util.ArrayList<>();
    for (int i : indices) {
      InvalidInputException.check(i >= 0 && i < grids.length, "image index %s must lie in [0, %s)", i, grids.length);
      GridThw g = grids[i];
      long[] raw = originalShape.apply(i);
      out.add(new org.visualscratchpad.torch.llava.ImageInput(pixelValues.range(offset[i], offset[i + 1]),
          raw == null ? g.h() * v.patchSize() : Math.toIntExact(raw[0]),
          raw == null ? g.w() * v.patchSize() : Math.toIntExact(raw[1]), List.of(g.t(), g.h(), g.w())));
    }
    return out;
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
