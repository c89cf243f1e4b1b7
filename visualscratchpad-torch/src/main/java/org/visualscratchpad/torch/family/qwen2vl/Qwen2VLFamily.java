package org.visualscratchpad.torch.family.qwen2vl;

import java.nio.file.Path;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.cpu.CpuWeights;
import org.visualscratchpad.torch.family.CpuFamilyModel;
import org.visualscratchpad.torch.family.ImageBudget;
import org.visualscratchpad.torch.family.VlmConfig;
import org.visualscratchpad.torch.family.VlmFamily;
import org.visualscratchpad.torch.input.preprocess.CropGeometry;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;

/**
 * Qwen2-VL ({@code model_type "qwen2_vl"}, {@code Qwen/Qwen2-VL-7B-Instruct} layout): a ViT with 2D rotary
 * embeddings, no CLS, attention block-diagonal per image; a {@code PatchMerger} turning each {@code 2 x 2}
 * window of patches into one language-model token, so the token count follows the image's size ({@code
 * smart_resize} between {@code min_pixels} and {@code max_pixels}); a Qwen2 decoder with M-RoPE; {@code
 * <|vision_start|><|image_pad|><|vision_end|>} per image in the prompt, several images per prompt. Runs on the
 * CPU engine only.
 *
 * <pre>{@code
 * jshell> VlmFamilies.find("qwen2_vl").get().displayName()
 * $1 ==> "Qwen2-VL (ViT + Qwen2, M-RoPE)"
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class Qwen2VLFamily implements VlmFamily {
  /** The family. */
  public static final Qwen2VLFamily INSTANCE = new Qwen2VLFamily();

  private Qwen2VLFamily() {}

  private static Qwen2VLConfig qwen(VlmConfig model) {
    InvalidInputException.check(model instanceof Qwen2VLConfig, "%s is not a Qwen2-VL configuration", model);
    return (Qwen2VLConfig) model;
  }

  @Override
  public String modelType() {
    return Qwen2VLConfig.MODEL_TYPE;
  }

  @Override
  public String displayName() {
    return "Qwen2-VL (ViT + Qwen2, M-RoPE)";
  }

  @Override
  public List<String> hubNames() {
    return List.of("Qwen/Qwen2-VL-7B-Instruct", "Qwen/Qwen2-VL-2B-Instruct");
  }

  @Override
  public boolean runsOnLibtorch() {
    return false;
  }

  @Override
  public Qwen2VLConfig readConfig(ConfigJson root) {
    return Qwen2VLConfig.read(root);
  }

  /** The processor of the model's own settings ({@code min_pixels}, {@code max_pixels}); {@code config} is not used. */
  @Override
  public Qwen2VLImageProcessor imageProcessor(PreprocessorConfig config, VlmConfig model) {
    return Qwen2VLImageProcessor.of(qwen(model).processor());
  }

  /** The processor of the checkpoint's {@code preprocessor_config.json}, as {@link Qwen2VLConfig#read} read it. */
  @Override
  public Qwen2VLImageProcessor imageProcessor(Path modelDir, VlmConfig model) {
    return Qwen2VLImageProcessor.of(qwen(model).processor());
  }

  /** The normalisation settings of the model's processor (its resize is {@code smart_resize}, see {@link #layoutForModel}). */
  @Override
  public PreprocessorConfig defaultPreprocessing(VlmConfig model) {
    return imageProcessor((PreprocessorConfig) null, model).config();
  }

  @Override
  public Qwen2VLFeatureLayout layout(CropGeometry geometry, PreprocessorConfig config, VlmConfig model) {
    InvalidInputException.check(geometry instanceof Qwen2VLGeometry,
        "geometry %s is not Qwen2-VL's (a whole image resized by Qwen2VLImageProcessor)", geometry);
    Qwen2VLVisionConfig v = qwen(model).vision();
    return Qwen2VLFeatureLayout.of((Qwen2VLGeometry) geometry, v.patchSize(), v.spatialMergeSize());
  }

  /** The layout of an image of {@code size} as the checkpoint's processor ({@code smart_resize}) shapes it. */
  @Override
  public Qwen2VLFeatureLayout layoutForModel(ImageSize size, VlmConfig model) {
    Qwen2VLConfig c = qwen(model);
    return layout(Qwen2VLImageProcessor.of(c.processor()).plan(size), null, c);
  }

  /** Image tokens the load-time pre-flight budgets: 1,280, Qwen's suggested bound (max_pixels 1003520). */
  public static final int PREFLIGHT_IMAGE_TOKENS = 1280;

  /**
   * One image at {@code max_pixels} or of {@link #PREFLIGHT_IMAGE_TOKENS}, whichever is smaller: its patches
   * through the tower, a quarter of them as tokens.
   */
  @Override
  public ImageBudget budget(VlmConfig model) {
    Qwen2VLConfig c = qwen(model);
    int grid = c.vision().gridSize();
    // the token count follows the image: the pre-flight budgets one image of up to PREFLIGHT_IMAGE_TOKENS
    // (about a megapixel; the Hub's max_pixels allows 16,384 tokens, which no 24 GB machine holds beside 7B
    // weights); a larger image is checked against the free heap when it is asked about
    return new ImageBudget(1, Math.min(grid * grid / c.vision().mergeUnit(), PREFLIGHT_IMAGE_TOKENS));
  }

  @Override
  public CpuFamilyModel loadCpu(VlmConfig model, CpuWeights weights) {
    return new Qwen2VLCpuModel(this, qwen(model), weights);
  }

  @Override
  public boolean loadsVisionAlone() {
    return true;
  }

  @Override
  public CpuFamilyModel loadCpuVision(VlmConfig model, CpuWeights weights, int layers) {
    return new Qwen2VLCpuModel(this, qwen(model), weights, layers);
  }

  @Override
  public String toString() {
    return "Qwen2VLFamily[qwen2_vl]";
  }
}
