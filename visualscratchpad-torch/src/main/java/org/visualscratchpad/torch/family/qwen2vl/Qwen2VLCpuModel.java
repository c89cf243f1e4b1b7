package org.visualscratchpad.torch.family.qwen2vl;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.cpu.CpuLlama;
import org.visualscratchpad.torch.cpu.CpuVisionTower;
import org.visualscratchpad.torch.cpu.CpuWeights;
import org.visualscratchpad.torch.cpu.VisionStream;
import org.visualscratchpad.torch.family.CpuFamilyModel;
import org.visualscratchpad.torch.family.ImageFeatures;
import org.visualscratchpad.torch.family.TextPositions;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.llama.LlamaDecoder;
import org.visualscratchpad.torch.llava.ImageInput;
import org.visualscratchpad.torch.trace.DenseTensor;
import org.visualscratchpad.torch.trace.Trace;

/**
 * Qwen2-VL on the CPU engine: the vision tower and patch merger ({@link CpuQwen2VLVision}) and the Qwen2
 * decoder ({@link CpuLlama} with q/k/v biases) whose rotary embedding is M-RoPE ({@link MRope}: three rows of
 * position ids, the frequencies split by {@code mrope_section}). Each image is one crop, given as its resized,
 * normalised pixels {@code [1, 3, H, W]} (the input pipeline's form, {@link Qwen2VLImageProcessor#preprocess}),
 * flattened into patches here, or as HF's flattened patches {@code [h * w, 3*2*14*14]} with the grid {@code
 * [1, h, w]} ({@link Qwen2VLImageProcessor#imageInputs}); either way its grid must be what the checkpoint's
 * processor makes of the image's size. Still images only ({@code t = 1}). Immutable and thread-safe.
 */
final class Qwen2VLCpuModel implements CpuFamilyModel {
  private final Qwen2VLFamily family;
  private final Qwen2VLConfig cfg;
  private final CpuQwen2VLVision vision;
  private final CpuLlama decoder;
  private final long bytes;

  Qwen2VLCpuModel(Qwen2VLFamily family, Qwen2VLConfig cfg, CpuWeights cw) {
    this(family, cfg, cw, -1);
  }

  /**
   * @param visionOnly -1 for the whole model; otherwise only the ViT's first {@code visionOnly} blocks are loaded
   *     (no language model: {@link #language()} is null), for activations at a hook
   */
  Qwen2VLCpuModel(Qwen2VLFamily family, Qwen2VLConfig cfg, CpuWeights cw, int visionOnly) {
    this.family = family;
    this.cfg = cfg;
    // transformers 4.45 saves visual.* and model.*; later versions model.visual.* and model.language_model.*
    String visual = cw.has("visual.patch_embed.proj.weight") ? "visual" : "model.visual";
    String lm = cw.has("model.embed_tokens.weight") ? "model" : "language_model";
    vision = new CpuQwen2VLVision(cw, visual, cfg.vision(), visionOnly >= 0 ? visionOnly : cfg.vision().depth());
    decoder = visionOnly < 0 ? new CpuLlama(cw, lm, "lm_head.weight", cfg.text(), rotary(cfg)) : null;
    bytes = cw.bytes();
  }

  /** M-RoPE as the decoder's rotary embedding: three position rows, frequencies split by {@code mrope_section}. */
  private static CpuLlama.RotaryEmbedding rotary(Qwen2VLConfig cfg) {
    float[] invFreq = LlamaDecoder.inverseFrequencies(cfg.text());
    int[] axis = MRope.axisOfFrequency(cfg.mropeSection(), invFreq.length);
    return new CpuLlama.RotaryEmbedding() {
      @Override
      public int positionRows() {
        return 3;
      }

      @Override
      public float[][] angles(long[][][] positions, int b, int s) {
        InvalidInputException.check(positions.length == 3,
            "Qwen2-VL numbers positions with three rows of ids (M-RoPE: t, h, w); got %s rows", positions.length);
        return MRope.angles(invFreq, axis, positions, b, s);
      }
    };
  }

  @Override
  public CpuVisionTower vision() {
    return vision;
  }

  @Override
  public CpuLlama language() {
    return decoder;
  }

  @Override
  public long bytes() {
    return bytes;
  }

  /** The layout of {@code img} as the checkpoint's processor shapes an image of its size. */
  Qwen2VLFeatureLayout layoutOf(ImageInput img) {
    return family.layoutForModel(new ImageSize(img.height(), img.width()), cfg);
  }

  /** Whether the image comes as HF's flattened patches with its grid (else as one resized image). */
  private static boolean flattened(ImageInput img) {
    return img.pixels().rank() == 2;
  }

  /** The patch grid of a checked image. */
  private GridThw gridOf(ImageInput img) {
    if (flattened(img)) {
      return new GridThw(img.grid().get(0), img.grid().get(1), img.grid().get(2));
    }
    return new GridThw(1, (int) img.pixels().dim(2) / cfg.vision().patchSize(),
        (int) img.pixels().dim(3) / cfg.vision().patchSize());
  }

  @Override
  public int checkedCrops(int index, ImageInput img) {
    String shape = java.util.Arrays.toString(img.pixels().shape());
    int ps = cfg.vision().patchSize();
    long height;
    long width;
    if (flattened(img)) {
      List<Integer> g = img.grid();
      InvalidInputException.check(g.size() == 3 && g.get(0) == 1 && g.get(1) > 0 && g.get(2) > 0,
          "image %s grid %s must be image_grid_thw's [1, h, w] (still images only)", index, g);
      InvalidInputException.check(img.pixels().dim(0) == (long) g.get(1) * g.get(2)
              && img.pixels().dim(1) == cfg.vision().patchValues(),
          "image %s pixels have shape %s; its grid %s needs [%s, %s] (flattened patches)", index, shape, g,
          (long) g.get(1) * g.get(2), cfg.vision().patchValues());
      height = (long) g.get(1) * ps;
      width = (long) g.get(2) * ps;
    } else {
      InvalidInputException.check(img.pixels().rank() == 4 && img.pixels().dim(0) == 1 && img.pixels().dim(1) == 3,
          "image %s pixels have shape %s; Qwen2-VL takes one resized image [1, 3, H, W] (Qwen2VLImageProcessor) or "
              + "flattened patches [h * w, %s] with image_grid_thw", index, shape, cfg.vision().patchValues());
      height = img.pixels().dim(2);
      width = img.pixels().dim(3);
    }
    Qwen2VLFeatureLayout layout = layoutOf(img);
    ImageSize resized = layout.resized();
    InvalidInputException.check(height == resized.height() && width == resized.width(),
        "image %s (%sx%s) is %sx%s pixels but the checkpoint's processor (min_pixels %s, max_pixels %s) resizes it "
            + "to %s. Preprocess with the model's preprocessor_config.json.", index, img.height(), img.width(),
        height, width, cfg.processor().minPixels(), cfg.processor().maxPixels(), resized);
    return 1;
  }

  @Override
  public VisionStream embed(List<ImageInput> images, int[] cropsPerImage) {
    List<GridThw> grids = new ArrayList<>();
    List<float[]> rows = new ArrayList<>();
    int n = 0;
    int ps = cfg.vision().patchSize();
    int m = cfg.vision().spatialMergeSize();
    int tp = cfg.vision().temporalPatchSize();
    for (ImageInput img : images) {
      GridThw g = gridOf(img);
      grids.add(g);
      rows.add(flattened(img) ? img.pixels().toArray() : Qwen2VLImageProcessor.patchify(img.pixels().slice(0).toArray(),
          (int) img.pixels().dim(2), (int) img.pixels().dim(3), ps, m, tp));
      n += g.patches();
    }
    int cols = cfg.vision().patchValues();
    float[] all = new float[Math.multiplyExact(n, cols)];
    int at = 0;
    for (float[] r : rows) {
      System.arraycopy(r, 0, all, at, r.length);
      at += r.length;
    }
    return vision.stream(vision.embed(all, n), grids);
  }

  @Override
  public VisionStream resume(List<FloatMatrix> start, List<ImageInput> images, int[] cropsPerImage, int width) {
    List<GridThw> grids = new ArrayList<>();
    for (ImageInput img : images) {
      grids.add(gridOf(img));
    }
    InvalidInputException.check(start.size() == grids.size(), "the cached stream has %s images; the call gives %s",
        start.size(), grids.size());
    int n = 0;
    for (int i = 0; i < grids.size(); i++) {
      InvalidInputException.check(start.get(i).rows() == grids.get(i).patches() && start.get(i).cols() == width,
          "cached image %s is [%s x %s]; its grid %s needs [%s x %s]", i, start.get(i).rows(), start.get(i).cols(),
          grids.get(i), grids.get(i).patches(), width);
      n += grids.get(i).patches();
    }
    float[] x = new float[Math.multiplyExact(n, width)];
    int at = 0;
    for (FloatMatrix s : start) {
      s.copyInto(x, at);
      at += s.rows() * width;
    }
    return vision.stream(x, grids);
  }

  /**
   * The merger over every image's rows: {@code [patches / 4, hidden_size]}, one row per image token in prompt
   * order. Trace: {@code vision.rotary_pos_emb}, {@code vision.merger_output} and {@code image_features}.
   */
  @Override
  public ImageFeatures features(VisionStream feature, List<ImageInput> images, Trace trace) {
    int n = feature.totalRows();
    float[] merged = vision.merge(feature.data(), n);
    int count = n / cfg.vision().mergeUnit();
    int d = cfg.text().hiddenSize();
    if (trace != null) {
      List<GridThw> grids = new ArrayList<>();
      for (ImageInput img : images) {
        grids.add(gridOf(img));
      }
      trace.put("vision.rotary_pos_emb", DenseTensor.adopt(new long[] {n, cfg.vision().headDim() / 2},
          vision.rotaryAngles(grids)));
      trace.put("vision.merger_output", DenseTensor.adopt(new long[] {count, d}, merged.clone()));
      trace.put("image_features", DenseTensor.adopt(new long[] {count, d}, merged.clone()));
    }
    return new ImageFeatures(merged, count, new boolean[count]);
  }

  /** {@code get_rope_index}: three rows of position ids and {@code rope_deltas} (see {@link MRope}). */
  @Override
  public TextPositions positions(long[][] ids, int[][] mask, List<ImageInput> images) {
    List<GridThw> grids = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      checkedCrops(i, images.get(i));
      grids.add(gridOf(images.get(i)));
    }
    MRope.RopeIndex idx = MRope.ropeIndex(ids, mask, grids, cfg.ropeTokens());
    return new TextPositions(idx.all(), idx.deltas());
  }

  @Override
  public String toString() {
    return "Qwen2VLCpuModel[" + cfg + "]";
  }
}
