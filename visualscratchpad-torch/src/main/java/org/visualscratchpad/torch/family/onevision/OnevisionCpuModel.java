package org.visualscratchpad.torch.family.onevision;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
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
import org.visualscratchpad.torch.trace.DenseTensor;
import org.visualscratchpad.torch.trace.Trace;

/**
 * LLaVA-OneVision on the CPU engine: the SigLIP tower ({@link CpuSiglipTower}), every row of the selected layer
 * (strategy {@code full}) through the GELU projector, packed by {@link OnevisionFeatureLayout} with {@code
 * image_newline}, and the Qwen2 language model. Immutable and thread-safe.
 */
final class OnevisionCpuModel implements CpuFamilyModel {
  private static final String VISION = "vision_tower.vision_model";
  private final OnevisionFamily family;
  private final OnevisionConfig cfg;
  private final CpuSiglipTower vision;
  private final GeluProjector projector;
  private final float[] imageNewline;     // (d_text)
  private final CpuLlama decoder;
  private final long bytes;

  OnevisionCpuModel(OnevisionFamily family, OnevisionConfig cfg, CpuWeights cw) {
    this(family, cfg, cw, -1);
  }

  /**
   * @param visionOnly -1 for the whole model; otherwise only the tower's first {@code visionOnly} layers are loaded
   *     (no projector, no language model: {@link #language()} is null), for activations at a hook
   */
  OnevisionCpuModel(OnevisionFamily family, OnevisionConfig cfg, CpuWeights cw, int visionOnly) {
    this.family = family;
    this.cfg = cfg;
    int dv = cfg.vision().hiddenSize();
    int dt = cfg.text().hiddenSize();
    int all = cfg.vision().numLayers();
    int layers = visionOnly >= 0 ? visionOnly : cw.has(VISION + ".encoder.layers." + (all - 1) + ".mlp.fc2.weight")
        ? all : Math.max(cfg.featureHiddenIndex(), 1);
    vision = new CpuSiglipTower(cw, VISION, cfg.vision(), layers);
    boolean whole = visionOnly < 0;
    projector = whole ? GeluProjector.load(cw, dv, dt, cfg.projectorBias()) : null;
    imageNewline = whole ? cw.floats("image_newline", dt) : null;
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
        "image %s pixels have shape %s; the SigLIP tower takes [crops, 3, %s, %s]", i,
        java.util.Arrays.toString(img.pixels().shape()), s, s);
    InvalidInputException.check(img.pixels().dim(2) == s && img.pixels().dim(3) == s,
        "image %s crops are %sx%s but the vision tower takes %sx%s. Preprocess with the model's "
            + "preprocessor_config.json.", i, img.pixels().dim(2), img.pixels().dim(3), s, s);
    int need = layoutOf(img).cropCount();
    InvalidInputException.check(img.crops() >= need,
        "image %s (%sx%s) has %s crops but the model needs %s (the base view and the tiles)", i, img.height(),
        img.width(), img.crops(), need);
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
    int t = cfg.vision().tokensPerCrop();
    int dv = cfg.vision().hiddenSize();
    int dt = cfg.text().hiddenSize();
    float[] selected = feature.data();   // strategy full: every row (SigLIP has no CLS)
    float[] projected = projector.project(selected, n * t);
    if (trace != null) {
      trace.put("vision_tower.selected_feature", DenseTensor.adopt(new long[] {n, t, dv}, selected.clone()));
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
    return "OnevisionCpuModel[" + cfg.vision().numLayers() + " SigLIP layers, " + cfg.text().modelType() + " "
        + cfg.text().numLayers() + " layers]";
  }
}
