package org.visualscratchpad.torch.family.llava;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.cpu.CpuClipTower;
import org.visualscratchpad.torch.cpu.CpuLlama;
import org.visualscratchpad.torch.cpu.CpuVisionTower;
import org.visualscratchpad.torch.cpu.CpuWeights;
import org.visualscratchpad.torch.cpu.VisionStream;
import org.visualscratchpad.torch.family.CpuFamilyModel;
import org.visualscratchpad.torch.family.CropBatch;
import org.visualscratchpad.torch.family.FeaturePacking;
import org.visualscratchpad.torch.family.GeluProjector;
import org.visualscratchpad.torch.family.ImageFeatures;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.llava.ImageInput;
import org.visualscratchpad.torch.llava.LlavaConfig;
import org.visualscratchpad.torch.trace.DenseTensor;
import org.visualscratchpad.torch.trace.Trace;

/**
 * LLaVA-1.5 / LLaVA-NeXT on the CPU engine: the CLIP tower ({@link CpuClipTower}), the projector with its GELU,
 * NeXT's {@code image_newline} and the Llama / Mistral decoder ({@link CpuLlama}). Immutable and thread-safe.
 */
final class LlavaCpuModel implements CpuFamilyModel {
  private final LlavaFamily family;
  private final LlavaConfig cfg;
  private final CpuClipTower vision;
  private final GeluProjector projector;
  private final float[] imageNewline;     // (d_text) or null
  private final CpuLlama decoder;
  private final long bytes;

  LlavaCpuModel(LlavaFamily family, LlavaConfig cfg, CpuWeights cw) {
    this(family, cfg, cw, -1);
  }

  /**
   * @param visionOnly -1 for the whole model; otherwise only the tower's first {@code visionOnly} layers are loaded
   *     (no projector, no language model: {@link #language()} is null), for activations at a hook
   */
  LlavaCpuModel(LlavaFamily family, LlavaConfig cfg, CpuWeights cw, int visionOnly) {
    this.family = family;
    this.cfg = cfg;
    int dv = cfg.vision().hiddenSize();
    int dt = cfg.text().hiddenSize();
    int all = cfg.vision().numLayers();
    String last = "vision_tower.vision_model.encoder.layers." + (all - 1) + ".mlp.fc2.weight";
    int layers = visionOnly >= 0 ? visionOnly : cw.has(last) ? all : Math.max(cfg.featureHiddenIndex(), 1);
    vision = new CpuClipTower(cw, "vision_tower.vision_model", cfg.vision(), layers);
    boolean whole = visionOnly < 0;
    projector = whole ? GeluProjector.load(cw, dv, dt, cfg.projectorBias()) : null;
    imageNewline = whole && cfg.isNext() ? cw.floats("image_newline", dt) : null;
    decoder = whole ? new CpuLlama(cw, "language_model", "lm_head.weight", cfg.text()) : null;
    bytes = cw.bytes();
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

  private ImageFeatureLayout layoutOf(ImageInput img) {
    return family.layoutForModel(new ImageSize(img.height(), img.width()), cfg);
  }

  @Override
  public int checkedCrops(int i, ImageInput img) {
    int s = cfg.vision().imageSize();
    InvalidInputException.check(img.pixels().rank() == 4 && img.pixels().dim(1) == 3,
        "image %s pixels have shape %s; the CLIP tower takes [crops, 3, %s, %s]", i,
        java.util.Arrays.toString(img.pixels().shape()), s, s);
    InvalidInputException.check(img.pixels().dim(2) == s && img.pixels().dim(3) == s,
        "image %s crops are %sx%s but the vision tower takes %sx%s. Preprocess with the model's "
            + "preprocessor_config.json.", i, img.pixels().dim(2), img.pixels().dim(3), s, s);
    int need = layoutOf(img).cropCount();
    InvalidInputException.check(img.crops() >= need,
        "image %s (%sx%s) has %s crops but the model needs %s", i, img.height(), img.width(), img.crops(), need);
    InvalidInputException.check(cfg.isNext() || img.crops() == 1,
        "image %s has %s crops but LLaVA-1.5 takes exactly one", i, img.crops());
    return need;
  }

  @Override
  public VisionStream embed(List<ImageInput> images, int[] cropsPerImage) {
    CropBatch b = CropBatch.of(images, cropsPerImage, cfg.vision().imageSize());
    return VisionStream.uniform(vision.embed(b.pixels(), b.crops()), cfg.vision().hiddenSize(), b.crops(),
        cfg.vision().tokensPerCrop(), b.image(), b.cropInImage());
  }

  @Override
  public ImageFeatures features(VisionStream feature, List<ImageInput> images, Trace trace) {
    int n = feature.crops();
    int tokens = cfg.vision().tokensPerCrop();
    int dv = cfg.vision().hiddenSize();
    int t = cfg.keepCls() ? tokens : tokens - 1;
    float[] x = feature.data();
    float[] selected = new float[n * t * dv];
    for (int c = 0; c < n; c++) {
      System.arraycopy(x, (c * tokens + tokens - t) * dv, selected, c * t * dv, t * dv);
    }
    int dt = cfg.text().hiddenSize();
    float[] projected = projector.project(selected, n * t);
    if (trace != null) {
      trace.put("vision_tower.selected_feature", DenseTensor.adopt(new long[] {n, t, dv}, selected));
      trace.put("projected_tiles", DenseTensor.adopt(new long[] {n, t, dt}, projected.clone()));
    }
    List<ImageFeatureLayout> layouts = new ArrayList<>();
    for (ImageInput img : images) {
      layouts.add(layoutOf(img));
    }
    return FeaturePacking.pack(layouts, projected, t, imageNewline, dt, trace);
  }

  @Override
  public String toString() {
    return "LlavaCpuModel[" + cfg.modelType() + "]";
  }
}
