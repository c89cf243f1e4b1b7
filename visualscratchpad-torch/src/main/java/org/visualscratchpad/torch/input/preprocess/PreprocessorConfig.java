package org.visualscratchpad.torch.input.preprocess;

import static org.visualscratchpad.torch.input.preprocess.ProcessorFields.bool;
import static org.visualscratchpad.torch.input.preprocess.ProcessorFields.integer;
import static org.visualscratchpad.torch.input.preprocess.ProcessorFields.number;
import static org.visualscratchpad.torch.input.preprocess.ProcessorFields.triple;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.image.ResampleFilter;

/**
 * The settings of HF's {@code CLIPImageProcessor} / {@code LlavaNextImageProcessor}, read from a
 * checkpoint's {@code preprocessor_config.json}; keys that are absent take the processor class's
 * defaults (224 px, bicubic, OpenAI CLIP mean and std, the LLaVA-NeXT pinpoints).
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var cfg = PreprocessorConfig.read(Path.of("llava-1.5-7b-hf/preprocessor_config.json"))
 * cfg ==> PreprocessorConfig[CLIPImageProcessor, resize ShortestEdge[length=336] BICUBIC, crop 336x336 (h x w), ...]
 * }</pre>
 *
 * @param processorType {@code image_processor_type}, e.g. {@code CLIPImageProcessor}
 * @param doConvertRgb {@code do_convert_rgb} (images are always decoded to RGB here; kept for the record)
 * @param doResize {@code do_resize}
 * @param size {@code size}
 * @param resample {@code resample}
 * @param doCenterCrop {@code do_center_crop}
 * @param cropSize {@code crop_size}
 * @param doRescale {@code do_rescale}
 * @param rescaleFactor {@code rescale_factor}
 * @param doNormalize {@code do_normalize}
 * @param imageMean {@code image_mean}, 3 values
 * @param imageStd {@code image_std}, 3 non-zero values
 * @param imageGridPinpoints {@code image_grid_pinpoints} as (height, width); empty for plain CLIP
 */
public record PreprocessorConfig(
    String processorType,
    boolean doConvertRgb,
    boolean doResize,
    ResizeTarget size,
    ResampleFilter resample,
    boolean doCenterCrop,
    ImageSize cropSize,
    boolean doRescale,
    double rescaleFactor,
    boolean doNormalize,
    List<Double> imageMean,
    List<Double> imageStd,
    List<ImageSize> imageGridPinpoints) {

  /** {@code OPENAI_CLIP_MEAN}. */
  public static final List<Double> OPENAI_CLIP_MEAN = List.of(0.48145466, 0.4578275, 0.40821073);
  /** {@code OPENAI_CLIP_STD}. */
  public static final List<Double> OPENAI_CLIP_STD = List.of(0.26862954, 0.26130258, 0.27577711);
  /** {@code LlavaNextImageProcessor}'s default {@code image_grid_pinpoints}. */
  public static final List<ImageSize> LLAVA_NEXT_PINPOINTS = List.of(
      new ImageSize(336, 672), new ImageSize(672, 336), new ImageSize(672, 672),
      new ImageSize(1008, 336), new ImageSize(336, 1008));

  public PreprocessorConfig {
    InvalidInputException.check(processorType != null && size != null && resample != null && cropSize != null,
        "processorType, size, resample and cropSize must not be null");
    imageMean = List.copyOf(imageMean);
    imageStd = List.copyOf(imageStd);
    imageGridPinpoints = List.copyOf(imageGridPinpoints);
    InvalidInputException.check(imageMean.size() == 3, "image_mean (%s) must have 3 values (R, G, B)", imageMean);
    InvalidInputException.check(imageStd.size() == 3, "image_std (%s) must have 3 values (R, G, B)", imageStd);
    for (double s : imageStd) {
      InvalidInputException.check(s != 0.0 && Double.isFinite(s), "image_std (%s) must be finite and non-zero", imageStd);
    }
    InvalidInputException.check(Double.isFinite(rescaleFactor) && rescaleFactor > 0,
        "rescale_factor (%s) must be a positive number", rescaleFactor);
  }

  /**
   * The processor of {@code openai/clip-vit-large-patch14(-336)} and {@code llava-1.5}: shortest
   * edge and centre crop {@code side}, bicubic, rescale 1/255, OpenAI mean and std.
   */
  public static PreprocessorConfig clip(int side) {
    return new PreprocessorConfig("CLIPImageProcessor", true, true, new ResizeTarget.ShortestEdge(side),
        ResampleFilter.BICUBIC, true, new ImageSize(side, side), true, 1 / 255.0, true,
        OPENAI_CLIP_MEAN, OPENAI_CLIP_STD, List.of());
  }

  /** {@link #clip(int)} plus anyres {@code pinpoints}: the LLaVA-NeXT processor. */
  public static PreprocessorConfig llavaNext(int side, List<ImageSize> pinpoints) {
    return clip(side).withPinpoints("LlavaNextImageProcessor", pinpoints);
  }

  private PreprocessorConfig withPinpoints(String type, List<ImageSize> pinpoints) {
    return new PreprocessorConfig(type, doConvertRgb, doResize, size, resample, doCenterCrop, cropSize,
        doRescale, rescaleFactor, doNormalize, imageMean, imageStd, pinpoints);
  }

  /** True if this is an anyres (LLaVA-NeXT) processor: it has grid pinpoints. */
  public boolean isAnyres() {
    return !imageGridPinpoints.isEmpty();
  }

  /**
   * Reads {@code preprocessor_config.json} (a file, or a folder holding one).
   *
   * @throws CheckpointFormatException if the file is missing, not JSON, or a field has the wrong type or value
   */
  public static PreprocessorConfig read(Path fileOrDir) {
    return ProcessorFields.read(fileOrDir, PreprocessorConfig::parse);
  }

  /** Parses the JSON object of a {@code preprocessor_config.json}. */
  public static PreprocessorConfig parse(JsonNode root) {
    String type = root.path("image_processor_type").asText("CLIPImageProcessor");
    boolean anyres = root.has("image_grid_pinpoints") || type.startsWith("LlavaNext");
    ResizeTarget size = parseSize(root.get("size"));
    ImageSize crop = parseCrop(root.get("crop_size"));
    List<ImageSize> pinpoints = anyres ? parsePinpoints(root.get("image_grid_pinpoints")) : List.of();
    int tile = Math.min(crop.height(), crop.width());
    for (ImageSize p : pinpoints) {
      long tiles = (long) Math.max(1, p.height() / tile) * Math.max(1, p.width() / tile);
      InvalidInputException.check(tiles <= MAX_TILES, "field image_grid_pinpoints entry %s holds %s tiles of %s px;"
          + " at most %s are accepted", p, tiles, tile, MAX_TILES);
    }
    return new PreprocessorConfig(
        type,
        bool(root, "do_convert_rgb", true),
        bool(root, "do_resize", true),
        size,
        ResampleFilter.fromPil(integer(root, "resample", 3)),
        bool(root, "do_center_crop", true),
        crop,
        bool(root, "do_rescale", true),
        number(root, "rescale_factor", 1 / 255.0),
        bool(root, "do_normalize", true),
        triple(root, "image_mean", OPENAI_CLIP_MEAN),
        triple(root, "image_std", OPENAI_CLIP_STD),
        pinpoints);
  }

  /**
   * Largest resize, crop or pinpoint side accepted (released processors use 224 to 1008; LLaVA-OneVision's
   * largest pinpoint is 2304): larger values would make one image allocate gigabytes.
   */
  public static final int MAX_SIDE = 4096;

  /** Most tiles a pinpoint may hold (released checkpoints: at most 36). */
  public static final int MAX_TILES = 144;

  private static int positive(JsonNode n, String what) {
    InvalidInputException.check(n != null && n.isIntegralNumber() && n.canConvertToInt() && n.intValue() > 0
        && n.intValue() <= MAX_SIDE, "field %s (%s) must be an integer in [1, %s]", what, n, MAX_SIDE);
    return n.intValue();
  }

  private static ResizeTarget parseSize(JsonNode n) {
    if (n == null || n.isNull()) {
      return new ResizeTarget.ShortestEdge(224);
    }
    if (n.isNumber()) {
      return new ResizeTarget.ShortestEdge(positive(n, "size"));
    }
    InvalidInputException.check(n.isObject(), "field size (%s) must be a number or an object", n);
    if (n.has("shortest_edge")) {
      return new ResizeTarget.ShortestEdge(positive(n.get("shortest_edge"), "size.shortest_edge"));
    }
    InvalidInputException.check(n.has("height") && n.has("width"),
        "field size (%s) must have shortest_edge, or height and width", n);
    return new ResizeTarget.Exact(new ImageSize(positive(n.get("height"), "size.height"), positive(n.get("width"), "size.width")));
  }

  private static ImageSize parseCrop(JsonNode n) {
    if (n == null || n.isNull()) {
      return new ImageSize(224, 224);
    }
    if (n.isNumber()) {
      int side = positive(n, "crop_size");
      return new ImageSize(side, side);
    }
    InvalidInputException.check(n.isObject() && n.has("height") && n.has("width"),
        "field crop_size (%s) must be a number or have height and width", n);
    return new ImageSize(positive(n.get("height"), "crop_size.height"), positive(n.get("width"), "crop_size.width"));
  }

  private static List<ImageSize> parsePinpoints(JsonNode n) {
    if (n == null || n.isNull()) {
      return LLAVA_NEXT_PINPOINTS;
    }
    InvalidInputException.check(n.isArray() && n.size() > 0,
        "field image_grid_pinpoints (%s) must be a non-empty list of [height, width] pairs", n);
    List<ImageSize> out = new ArrayList<>();
    for (JsonNode p : n) {
      InvalidInputException.check(p.isArray() && p.size() == 2,
          "field image_grid_pinpoints entry (%s) must be a [height, width] pair", p);
      out.add(new ImageSize(positive(p.get(0), "image_grid_pinpoints height"), positive(p.get(1), "image_grid_pinpoints width")));
    }
    return out;
  }

  @Override
  public String toString() {
    return "PreprocessorConfig[" + processorType + ", resize " + (doResize ? size + " " + resample : "off")
        + ", crop " + (doCenterCrop ? cropSize : "off") + ", rescale " + (doRescale ? rescaleFactor : "off")
        + ", normalize " + (doNormalize ? "mean " + imageMean + " std " + imageStd : "off")
        + (imageGridPinpoints.isEmpty() ? "" : ", pinpoints " + imageGridPinpoints) + "]";
  }
}
