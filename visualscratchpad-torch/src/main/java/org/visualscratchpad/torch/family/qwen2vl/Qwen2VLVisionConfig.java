package org.visualscratchpad.torch.family.qwen2vl;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.family.VisionTowerConfig;
import org.visualscratchpad.torch.nn.Activation;

/**
 * Qwen2-VL's vision tower ({@code Qwen2VLVisionConfig}) with the class defaults for omitted keys ({@code
 * hidden_act} quick_gelu, {@code mlp_ratio} 4, {@code patch_size} 14, {@code spatial_merge_size} 2, {@code
 * temporal_patch_size} 2, {@code in_channels} 3; depth 32, {@code embed_dim} 1280, 16 heads, {@code
 * hidden_size} 3584 as in Qwen2-VL-7B). Its LayerNorms use eps 1e-6 and the merger's GELU is the exact
 * (erf) one: both are fixed in the model code, not configurable.
 *
 * <p>As a {@link VisionTowerConfig}: the residual stream is {@code embed_dim} wide and has no CLS row; images
 * have no fixed size, so {@link #imageSize()} is the side of the largest square image the processor lets
 * through ({@code maxImageSide}, from {@code max_pixels}) and {@link #tokensPerCrop()} its patch count: what
 * the memory pre-flight budgets for.
 *
 * <pre>{@code
 * jshell> Qwen2VLVisionConfig.read(ConfigJson.read(Path.of("Qwen2-VL-7B-Instruct")).child("vision_config"))
 * $1 ==> Qwen2VLVisionConfig[depth=32, embedDim=1280, outHiddenSize=3584, numHeads=16, mlpRatio=4, ...]
 * }</pre>
 *
 * @param depth vision blocks
 * @param embedDim the tower's width
 * @param outHiddenSize {@code vision_config.hidden_size}: the merger's output width (the language model's)
 * @param numHeads attention heads
 * @param mlpRatio MLP width over {@code embedDim}
 * @param patchSize spatial patch side in pixels
 * @param spatialMergeSize patches merged per side into one language-model token
 * @param temporalPatchSize frames per temporal patch
 * @param inChannels image channels
 * @param act MLP activation
 * @param maxImageSide side of the largest square image the processor passes (a multiple of {@code patch_size *
 *     spatial_merge_size}), for budgets
 */
public record Qwen2VLVisionConfig(int depth, int embedDim, int outHiddenSize, int numHeads, int mlpRatio,
    int patchSize, int spatialMergeSize, int temporalPatchSize, int inChannels, Activation act, int maxImageSide)
    implements VisionTowerConfig {

  /** The LayerNorm epsilon of every vision block and of the merger (hard-coded by the model). */
  public static final double LAYER_NORM_EPS = 1e-6;

  public Qwen2VLVisionConfig {
    InvalidInputException.check(depth > 0 && embedDim > 0 && outHiddenSize > 0 && mlpRatio > 0,
        "vision depth (%s), embed_dim (%s), hidden_size (%s) and mlp_ratio (%s) must be positive", depth, embedDim,
        outHiddenSize, mlpRatio);
    InvalidInputException.check(numHeads > 0 && embedDim % numHeads == 0,
        "vision embed_dim (%s) must be a multiple of num_heads (%s)", embedDim, numHeads);
    InvalidInputException.check((embedDim / numHeads) % 4 == 0,
        "vision head dim (%s = embed_dim / num_heads) must be a multiple of 4 (2D rotary: half for rows, half for "
            + "columns)", embedDim / numHeads);
    InvalidInputException.check(patchSize > 0 && spatialMergeSize > 0 && temporalPatchSize > 0 && inChannels == 3,
        "vision patch_size (%s), spatial_merge_size (%s), temporal_patch_size (%s) must be positive and in_channels "
            + "(%s) 3", patchSize, spatialMergeSize, temporalPatchSize, inChannels);
    InvalidInputException.check(act != null, "hidden_act must not be null");
    InvalidInputException.check(maxImageSide >= patchSize * spatialMergeSize
            && maxImageSide % (patchSize * spatialMergeSize) == 0,
        "largest image side (%s) must be a positive multiple of %s", maxImageSide, patchSize * spatialMergeSize);
  }

  /**
   * Reads a {@code vision_config} object; images are at most {@code maxPixels} pixels ({@code
   * preprocessor_config.json}'s {@code max_pixels}).
   *
   * @throws org.visualscratchpad.CheckpointFormatException for an invalid value, naming the field
   */
  public static Qwen2VLVisionConfig read(ConfigJson c, long maxPixels) {
    try {
      int patch = c.getInt("patch_size", 14);
      int merge = c.getInt("spatial_merge_size", 2);
      int factor = Math.max(1, patch * merge);
      int side = (int) Math.max(factor, (long) Math.floor(Math.sqrt((double) maxPixels) / factor) * factor);
      return new Qwen2VLVisionConfig(c.getInt("depth", 32), c.getInt("embed_dim", 1280), c.getInt("hidden_size", 3584),
          c.getInt("num_heads", 16), c.getInt("mlp_ratio", 4), patch, merge, c.getInt("temporal_patch_size", 2),
          c.getInt("in_channels", 3), Activation.parse(c, "hidden_act", "quick_gelu"), side);
    } catch (InvalidInputException e) {
      throw new org.visualscratchpad.CheckpointFormatException(c.file(), "vision_config: " + e.getMessage(), e);
    }
  }

  /** The residual stream's width: {@code embed_dim}. */
  @Override
  public int hiddenSize() {
    return embedDim;
  }

  @Override
  public int intermediateSize() {
    return mlpDim();
  }

  @Override
  public int numLayers() {
    return depth;
  }

  /** {@link #maxImageSide}: images have no fixed size. */
  @Override
  public int imageSize() {
    return maxImageSide;
  }

  /** No CLS row: row {@code k} of an image's stream is its patch {@code k} (merge-window order). */
  @Override
  public boolean hasClsToken() {
    return false;
  }

  /** Per-head width. */
  public int headDim() {
    return embedDim / numHeads;
  }

  /** MLP width: {@code embedDim * mlpRatio}. */
  public int mlpDim() {
    return embedDim * mlpRatio;
  }

  /** Values of one flattened patch: {@code in_channels * temporal_patch_size * patch_size^2}. */
  public int patchValues() {
    return inChannels * temporalPatchSize * patchSize * patchSize;
  }

  /** Patches merged into one language-model token: {@code spatial_merge_size^2}. */
  public int mergeUnit() {
    return spatialMergeSize * spatialMergeSize;
  }

  /** The merger's input width: {@code embedDim * spatial_merge_size^2}. */
  public int mergerDim() {
    return embedDim * mergeUnit();
  }
}
