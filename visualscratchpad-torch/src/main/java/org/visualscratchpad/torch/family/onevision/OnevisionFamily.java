package org.visualscratchpad.torch.family.onevision;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.cpu.CpuWeights;
import org.visualscratchpad.torch.family.CpuFamilyModel;
import org.visualscratchpad.torch.family.ImageBudget;
import org.visualscratchpad.torch.family.VlmConfig;
import org.visualscratchpad.torch.family.VlmFamily;
import org.visualscratchpad.torch.input.image.ResampleFilter;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.layout.LlavaNextFeatureLayout;
import org.visualscratchpad.torch.input.preprocess.AnyresGeometry;
import org.visualscratchpad.torch.input.preprocess.CropGeometry;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.torch.input.preprocess.ResizeTarget;

/**
 * LLaVA-OneVision ({@code model_type "llava_onevision"}, {@code llava-hf/llava-onevision-qwen2-*-ov-hf}): SigLIP
 * vision tower without CLS, {@code vision_feature_layer -1} before {@code post_layernorm}, strategy {@code full},
 * GELU projector, OneVision's anyres grid with unpadding, the {@code anyres_max_9} bilinear downscale and {@code
 * image_newline}, Qwen2 language model; {@code LlavaOnevisionImageProcessor} preprocessing. Unpadding is
 * LLaVA-NeXT's ({@link LlavaNextFeatureLayout#keptGrid}); the rest of the layout is {@link OnevisionFeatureLayout}.
 * CPU engine only.
 */
public final class OnevisionFamily implements VlmFamily {
  /** The family. */
  public static final OnevisionFamily INSTANCE = new OnevisionFamily();

  private OnevisionFamily() {}

  @Override
  public String modelType() {
    return "llava_onevision";
  }

  @Override
  public String displayName() {
    return "LLaVA-OneVision (SigLIP + Qwen2)";
  }

  @Override
  public List<String> hubNames() {
    return List.of("llava-hf/llava-onevision-qwen2-7b-ov-hf", "llava-hf/llava-onevision-qwen2-0.5b-ov-hf",
        "llava-hf/llava-onevision-qwen2-7b-si-hf");
  }

  @Override
  public boolean runsOnLibtorch() {
    return false;
  }

  @Override
  public OnevisionConfig readConfig(ConfigJson root) {
    return OnevisionConfig.read(root);
  }

  private static OnevisionConfig ov(VlmConfig model) {
    return (OnevisionConfig) model;
  }

  @Override
  public ImagePreprocessor imageProcessor(PreprocessorConfig config, VlmConfig model) {
    OnevisionImageProcessor p = OnevisionImageProcessor.of(config);
    InvalidInputException.check(p.tileSide() == model.vision().imageSize(),
        "preprocessor_config.json size (%s px tiles) must equal the vision tower's image_size (%s)", p.tileSide(),
        model.vision().imageSize());
    return p;
  }

  @Override
  public PreprocessorConfig defaultPreprocessing(VlmConfig model) {
    int s = model.vision().imageSize();
    List<ImageSize> pins = new ArrayList<>();
    for (int[] p : ov(model).pinpoints()) {
      pins.add(new ImageSize(p[0], p[1]));
    }
    return new PreprocessorConfig("LlavaOnevisionImageProcessor", true, true, new ResizeTarget.Exact(new ImageSize(s, s)),
        ResampleFilter.BICUBIC, false, new ImageSize(s, s), true, 1 / 255.0, true, List.of(0.5, 0.5, 0.5),
        List.of(0.5, 0.5, 0.5), pins);
  }

  @Override
  public ImageFeatureLayout layout(CropGeometry geometry, PreprocessorConfig config, VlmConfig model) {
    InvalidInputException.check(geometry instanceof AnyresGeometry,
        "LLaVA-OneVision lays out anyres tiles; got %s", geometry);
    return OnevisionFeatureLayout.of((AnyresGeometry) geometry, model.vision().patchSize(), ov(model).maxTiles());
  }

  @Override
  public ImageBudget budget(VlmConfig model) {
    OnevisionConfig c = ov(model);
    int g = c.vision().gridSize();
    int side = c.vision().imageSize();
    int crops = 1;
    int tokens = g * g;
    for (int[] p : c.pinpoints()) {
      int rows = p[0] / side * g;
      int cols = p[1] / side * g;
      crops = Math.max(crops, 1 + (p[0] / side) * (p[1] / side));
      double ratio = Math.sqrt((double) ((long) rows * cols) / ((long) c.maxTiles() * g * g));
      if (ratio > 1.1) {
        rows = (int) Math.floor(rows / ratio);
        cols = (int) Math.floor(cols / ratio);
      }
      tokens = Math.max(tokens, g * g + rows * (cols + 1));
    }
    return new ImageBudget(crops, tokens);
  }

  @Override
  public CpuFamilyModel loadCpu(VlmConfig model, CpuWeights weights) {
    return new OnevisionCpuModel(this, ov(model), weights);
  }

  @Override
  public boolean loadsVisionAlone() {
    return true;
  }

  @Override
  public CpuFamilyModel loadCpuVision(VlmConfig model, CpuWeights weights, int layers) {
    return new OnevisionCpuModel(this, ov(model), weights, layers);
  }

  @Override
  public String toString() {
    return "OnevisionFamily[llava_onevision]";
  }
}
