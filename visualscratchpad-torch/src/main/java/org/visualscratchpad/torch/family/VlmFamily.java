package org.visualscratchpad.torch.family;

import java.util.List;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.cpu.CpuWeights;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.preprocess.CropGeometry;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;

/**
 * One model family, written once: what a {@code model_type} of {@code config.json} means, from the config's
 * defaults to the image preprocessing, the image-token layout and the model on the CPU engine. {@link
 * VlmFamilies} holds one entry per {@code model_type}; adding a family is its own package and one line there.
 *
 * <p>The layout is the one thing the input side and the model must agree on: {@link #layout} is used both by the
 * input pipeline (how many image tokens to put in the prompt, where each comes from in the image) and by the
 * model (which vision feature each image token carries), so the two cannot disagree.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface VlmFamily {

  /** The {@code model_type} of {@code config.json} this family reads. */
  String modelType();

  /** A human name, e.g. {@code LLaVA-OneVision (SigLIP + Qwen2)}. */
  String displayName();

  /** Hugging Face Hub checkpoints in this family's layout, e.g. {@code llava-hf/llava-onevision-qwen2-7b-ov-hf}. */
  List<String> hubNames();

  /**
   * Whether libtorch ({@code --device torch:cpu}, {@code gpu}) runs this family; families that do not run on the
   * CPU engine only, and loading them on libtorch fails with a message saying so.
   */
  boolean runsOnLibtorch();

  /**
   * Reads a root {@code config.json}, supplying the Hugging Face class defaults for omitted keys.
   *
   * @throws org.visualscratchpad.CheckpointFormatException naming the file and field of a bad value
   */
  VlmConfig readConfig(ConfigJson root);

  /** The image processor of {@code config} ({@code preprocessor_config.json}) for this model. */
  ImagePreprocessor imageProcessor(PreprocessorConfig config, VlmConfig model);

  /**
   * The image processor of the checkpoint folder {@code modelDir}: by default {@link #imageProcessor(PreprocessorConfig,
   * VlmConfig)} of its {@code preprocessor_config.json} read as CLIP's settings; a family whose file holds other
   * settings (Qwen2-VL's {@code min_pixels} / {@code max_pixels}) reads it itself.
   *
   * @throws org.visualscratchpad.CheckpointFormatException if the file is missing or malformed
   */
  default ImagePreprocessor imageProcessor(java.nio.file.Path modelDir, VlmConfig model) {
    return imageProcessor(PreprocessorConfig.read(modelDir), model);
  }

  /**
   * The preprocessing the model assumes when it sees an image only by its size (the Hub processor of this
   * layout, sized from {@code config.json}): the model side of {@link #layoutForModel}.
   */
  PreprocessorConfig defaultPreprocessing(VlmConfig model);

  /**
   * The image-token layout of an image preprocessed with {@code config} into {@code geometry}: token count, the
   * vision feature row each token carries, and each token's crop, patch and pixel box.
   */
  ImageFeatureLayout layout(CropGeometry geometry, PreprocessorConfig config, VlmConfig model);

  /** The layout the model packs an image of {@code size} with: {@link #layout} under {@link #defaultPreprocessing}. */
  default ImageFeatureLayout layoutForModel(ImageSize size, VlmConfig model) {
    PreprocessorConfig pre = defaultPreprocessing(model);
    return layout(imageProcessor(pre, model).plan(size), pre, model);
  }

  /** The most one image can cost (crops, image tokens), for the memory pre-flight. */
  ImageBudget budget(VlmConfig model);

  /**
   * The model on the CPU engine, its weights read from {@code weights} (in their stored precision or the one
   * asked for).
   *
   * @throws org.visualscratchpad.CheckpointFormatException naming the file and tensor of a missing or misshapen weight
   */
  CpuFamilyModel loadCpu(VlmConfig model, CpuWeights weights);

  /**
   * Only the vision tower's embeddings and first {@code layers} layers on the CPU engine, for activations at a hook
   * ({@code vsp stats}, SAE training): {@link CpuFamilyModel#checkedCrops}, {@link CpuFamilyModel#embed} and {@link
   * CpuFamilyModel#vision()} work, and {@link CpuFamilyModel#language()} is null. Families that cannot load so
   * return null (their whole model is loaded instead).
   */
  default CpuFamilyModel loadCpuVision(VlmConfig model, CpuWeights weights, int layers) {
    return null;
  }

  /** Whether {@link #loadCpuVision} loads the tower alone (else it returns null). */
  default boolean loadsVisionAlone() {
    return false;
  }
}
