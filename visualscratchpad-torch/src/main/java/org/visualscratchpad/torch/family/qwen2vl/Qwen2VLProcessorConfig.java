package org.visualscratchpad.torch.family.qwen2vl;

import static org.visualscratchpad.torch.input.preprocess.ProcessorFields.bool;
import static org.visualscratchpad.torch.input.preprocess.ProcessorFields.integer;
import static org.visualscratchpad.torch.input.preprocess.ProcessorFields.number;
import static org.visualscratchpad.torch.input.preprocess.ProcessorFields.triple;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.image.ResampleFilter;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.torch.input.preprocess.ProcessorFields;

/**
 * The settings of Hugging Face's {@code Qwen2VLImageProcessor}, read from a checkpoint's {@code
 * preprocessor_config.json}; absent keys take the class defaults (bicubic, rescale 1/255, OpenAI CLIP
 * mean and std, {@code min_pixels} 56 x 56, {@code max_pixels} 28 x 28 x 1280, patch 14, temporal patch 2,
 * merge 2). {@code min_pixels} / {@code max_pixels} are read from the top level (transformers 4.45), else
 * from {@code size} ({@code min_pixels} / {@code max_pixels}, or the later {@code shortest_edge} / {@code
 * longest_edge}).
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> Qwen2VLProcessorConfig.read(Path.of("Qwen2-VL-7B-Instruct"))
 * $1 ==> Qwen2VLProcessorConfig[pixels [3136, 12845056], patch 14, temporal 2, merge 2, BICUBIC, ...]
 * }</pre>
 *
 * @param minPixels {@code min_pixels}: the resized image has at least this many pixels
 * @param maxPixels {@code max_pixels}: and at most this many
 * @param patchSize {@code patch_size} (14)
 * @param temporalPatchSize {@code temporal_patch_size} (2): an image is repeated this many times in time
 * @param mergeSize {@code merge_size} (2): patches merged per side into one language-model token
 * @param doResize {@code do_resize}
 * @param resample {@code resample}
 * @param doRescale {@code do_rescale}
 * @param rescaleFactor {@code rescale_factor}
 * @param doNormalize {@code do_normalize}
 * @param imageMean {@code image_mean}, 3 values
 * @param imageStd {@code image_std}, 3 non-zero values
 */
public record Qwen2VLProcessorConfig(long minPixels, long maxPixels, int patchSize, int temporalPatchSize,
    int mergeSize, boolean doResize, ResampleFilter resample, boolean doRescale, double rescaleFactor,
    boolean doNormalize, List<Double> imageMean, List<Double> imageStd) {

  /** {@code Qwen2VLImageProcessor}'s default {@code min_pixels}. */
  public static final long DEFAULT_MIN_PIXELS = 56L * 56;
  /** {@code Qwen2VLImageProcessor}'s default {@code max_pixels}. */
  public static final long DEFAULT_MAX_PIXELS = 28L * 28 * 1280;
  /**
   * Largest {@code max_pixels} accepted: 4096 x 4096 (released checkpoints use 12,845,056 = 3584 x 3584);
   * more would let one image allocate gigabytes of patches.
   */
  public static final long MAX_PIXELS_LIMIT = 4096L * 4096;

  public Qwen2VLProcessorConfig {
    InvalidInputException.check(resample != null, "resample must not be null");
    InvalidInputException.check(patchSize > 0 && patchSize <= 64, "patch_size (%s) must be in [1, 64]", patchSize);
    InvalidInputException.check(temporalPatchSize > 0 && temporalPatchSize <= 8,
        "temporal_patch_size (%s) must be in [1, 8]", temporalPatchSize);
    InvalidInputException.check(mergeSize > 0 && mergeSize <= 8, "merge_size (%s) must be in [1, 8]", mergeSize);
    InvalidInputException.check(minPixels > 0 && minPixels <= maxPixels,
        "min_pixels (%s) must be positive and at most max_pixels (%s)", minPixels, maxPixels);
    InvalidInputException.check(maxPixels <= MAX_PIXELS_LIMIT, "max_pixels (%s) must be at most %s (4096 x 4096)",
        maxPixels, MAX_PIXELS_LIMIT);
    long factor = (long) patchSize * mergeSize;
    InvalidInputException.check(maxPixels >= factor * factor,
        "max_pixels (%s) must hold at least one %s x %s merge window", maxPixels, factor, factor);
    imageMean = List.copyOf(imageMean);
    imageStd = List.copyOf(imageStd);
    InvalidInputException.check(imageMean.size() == 3, "image_mean (%s) must have 3 values (R, G, B)", imageMean);
    InvalidInputException.check(imageStd.size() == 3, "image_std (%s) must have 3 values (R, G, B)", imageStd);
    for (double s : imageStd) {
      InvalidInputException.check(s != 0.0 && Double.isFinite(s), "image_std (%s) must be finite and non-zero", imageStd);
    }
    InvalidInputException.check(Double.isFinite(rescaleFactor) && rescaleFactor > 0,
        "rescale_factor (%s) must be a positive number", rescaleFactor);
  }

  /** The processor of {@code Qwen/Qwen2-VL-7B-Instruct} with the given pixel bounds. */
  public static Qwen2VLProcessorConfig defaults(long minPixels, long maxPixels) {
    return new Qwen2VLProcessorConfig(minPixels, maxPixels, 14, 2, 2, true, ResampleFilter.BICUBIC, true, 1 / 255.0,
        true, PreprocessorConfig.OPENAI_CLIP_MEAN, PreprocessorConfig.OPENAI_CLIP_STD);
  }

  /** Side of one merge window in pixels: {@code patch_size * merge_size} (28). */
  public int factor() {
    return patchSize * mergeSize;
  }

  /** Values per flattened patch row: {@code 3 * temporal_patch_size * patch_size^2} (1176). */
  public int patchValues() {
    return 3 * temporalPatchSize * patchSize * patchSize;
  }

  /**
   * Reads {@code preprocessor_config.json} (a file, or a folder holding one).
   *
   * @throws CheckpointFormatException if the file is missing, not JSON, or a field has the wrong type or value
   */
  public static Qwen2VLProcessorConfig read(Path fileOrDir) {
    return ProcessorFields.read(fileOrDir, Qwen2VLProcessorConfig::parse);
  }

  /** Parses the JSON object of a {@code preprocessor_config.json}. */
  public static Qwen2VLProcessorConfig parse(JsonNode root) {
    JsonNode size = root.get("size");
    InvalidInputException.check(size == null || size.isNull() || size.isObject(),
        "field size (%s) must be an object with min_pixels and max_pixels", size);
    long min = pixels(root, "min_pixels", size, "min_pixels", "shortest_edge", DEFAULT_MIN_PIXELS);
    long max = pixels(root, "max_pixels", size, "max_pixels", "longest_edge", DEFAULT_MAX_PIXELS);
    return new Qwen2VLProcessorConfig(min, max,
        integer(root, "patch_size", 14),
        integer(root, "temporal_patch_size", 2),
        integer(root, "merge_size", 2),
        bool(root, "do_resize", true),
        ResampleFilter.fromPil(integer(root, "resample", 3)),
        bool(root, "do_rescale", true),
        number(root, "rescale_factor", 1 / 255.0),
        bool(root, "do_normalize", true),
        triple(root, "image_mean", PreprocessorConfig.OPENAI_CLIP_MEAN),
        triple(root, "image_std", PreprocessorConfig.OPENAI_CLIP_STD));
  }

  private static long pixels(JsonNode root, String key, JsonNode size, String sizeKey, String laterKey, long dflt) {
    JsonNode n = root.get(key);
    String name = key;
    if ((n == null || n.isNull()) && size != null && size.isObject()) {
      n = size.has(sizeKey) ? size.get(sizeKey) : size.get(laterKey);
      name = "size." + (size.has(sizeKey) ? sizeKey : laterKey);
    }
    if (n == null || n.isNull()) {
      return dflt;
    }
    InvalidInputException.check(n.isIntegralNumber() && n.canConvertToLong() && n.longValue() > 0,
        "field %s (%s) must be a positive integer (a pixel count)", name, n);
    return n.longValue();
  }

  @Override
  public String toString() {
    return "Qwen2VLProcessorConfig[pixels [" + minPixels + ", " + maxPixels + "], patch " + patchSize + ", temporal "
        + temporalPatchSize + ", merge " + mergeSize + ", " + (doResize ? resample : "no resize") + ", rescale "
        + (doRescale ? rescaleFactor : "off") + ", normalize " + (doNormalize ? "mean " + imageMean + " std "
        + imageStd : "off") + "]";
  }
}
