package org.visualscratchpad.torch.family.llava;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.cpu.CpuWeights;
import org.visualscratchpad.torch.family.CpuFamilyModel;
import org.visualscratchpad.torch.family.ImageBudget;
import org.visualscratchpad.torch.family.VlmConfig;
import org.visualscratchpad.torch.family.VlmFamily;
import org.visualscratchpad.torch.input.layout.FeatureSelect;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.preprocess.CropGeometry;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.torch.llava.LlavaConfig;

/**
 * LLaVA-1.5 ({@code model_type "llava"}) and LLaVA-NeXT ({@code "llava_next"}): CLIP ViT vision tower (CLS row,
 * {@code vision_feature_layer -2}, strategy {@code default}), two-layer GELU projector, Llama or Mistral language
 * model; NeXT adds anyres tiling with unpadding and {@code image_newline}. The configuration is {@link
 * LlavaConfig}; the layouts are {@code LlavaFeatureLayout} and {@code LlavaNextFeatureLayout}. Runs on both
 * engines.
 */
public final class LlavaFamily implements VlmFamily {
  /** LLaVA-1.5. */
  public static final LlavaFamily LLAVA = new LlavaFamily("llava", "LLaVA-1.5 (CLIP + Llama)",
      List.of("llava-hf/llava-1.5-7b-hf", "llava-hf/llava-1.5-13b-hf"));
  /** LLaVA-NeXT (LLaVA-1.6). */
  public static final LlavaFamily LLAVA_NEXT = new LlavaFamily("llava_next", "LLaVA-NeXT (CLIP + Llama / Mistral, anyres)",
      List.of("llava-hf/llava-v1.6-mistral-7b-hf", "llava-hf/llava-v1.6-vicuna-7b-hf",
          "llava-hf/llama3-llava-next-8b-hf"));

  private final String modelType;
  private final String name;
  private final List<String> hub;

  private LlavaFamily(String modelType, String name, List<String> hub) {
    this.modelType = modelType;
    this.name = name;
    this.hub = hub;
  }

  @Override
  public String modelType() {
    return modelType;
  }

  @Override
  public String displayName() {
    return name;
  }

  @Override
  public List<String> hubNames() {
    return hub;
  }

  @Override
  public boolean runsOnLibtorch() {
    return true;
  }

  @Override
  public LlavaConfig readConfig(ConfigJson root) {
    return LlavaConfig.read(root);
  }

  private static LlavaConfig llava(VlmConfig model) {
    return (LlavaConfig) model;
  }

  @Override
  public ImagePreprocessor imageProcessor(PreprocessorConfig config, VlmConfig model) {
    return ImagePreprocessor.of(config);
  }

  @Override
  public PreprocessorConfig defaultPreprocessing(VlmConfig model) {
    LlavaConfig c = llava(model);
    int side = c.vision().imageSize();
    if (!c.isNext()) {
      return PreprocessorConfig.clip(side);
    }
    List<ImageSize> pins = new ArrayList<>();
    for (int[] p : c.pinpoints()) {
      pins.add(new ImageSize(p[0], p[1]));
    }
    return PreprocessorConfig.llavaNext(side, pins);
  }

  @Override
  public ImageFeatureLayout layout(CropGeometry geometry, PreprocessorConfig config, VlmConfig model) {
    LlavaConfig c = llava(model);
    return ImageFeatureLayout.of(geometry, config, c.vision().patchSize(),
        c.keepCls() ? FeatureSelect.FULL : FeatureSelect.DEFAULT);
  }

  @Override
  public ImageBudget budget(VlmConfig model) {
    LlavaConfig c = llava(model);
    var v = c.vision();
    if (!c.isNext()) {
      return new ImageBudget(1, v.gridSize() * v.gridSize() + (c.keepCls() ? 1 : 0));
    }
    int maxCells = 1;
    for (int[] p : c.pinpoints()) {
      maxCells = Math.max(maxCells, (p[0] / v.imageSize()) * (p[1] / v.imageSize()));
    }
    int crops = 1 + maxCells;
    return new ImageBudget(crops, crops * v.gridSize() * v.gridSize() + v.gridSize() * (int) Math.ceil(Math.sqrt(maxCells)));
  }

  @Override
  public CpuFamilyModel loadCpu(VlmConfig model, CpuWeights weights) {
    return new LlavaCpuModel(this, llava(model), weights);
  }

  @Override
  public boolean loadsVisionAlone() {
    return true;
  }

  @Override
  public CpuFamilyModel loadCpuVision(VlmConfig model, CpuWeights weights, int layers) {
    return new LlavaCpuModel(this, llava(model), weights, layers);
  }

  @Override
  public String toString() {
    return "LlavaFamily[" + modelType + "]";
  }
}
