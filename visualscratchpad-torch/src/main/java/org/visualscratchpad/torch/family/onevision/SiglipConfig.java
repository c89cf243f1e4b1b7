package org.visualscratchpad.torch.family.onevision;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.family.VisionTowerConfig;
import org.visualscratchpad.torch.nn.Activation;

/**
 * A SigLIP vision tower's configuration ({@code SiglipVisionConfig}) with the Hugging Face class defaults for
 * omitted keys ({@code gelu_pytorch_tanh}, {@code layer_norm_eps 1e-6}). SigLIP has no CLS token: row {@code k}
 * of a crop's stream is patch {@code k}.
 *
 * @param hiddenSize width of the residual stream
 * @param intermediateSize MLP width
 * @param numLayers encoder layers
 * @param numHeads attention heads
 * @param layerNormEps LayerNorm epsilon
 * @param act MLP activation
 * @param imageSize crop side in pixels
 * @param patchSize patch side in pixels
 * @param numChannels image channels
 */
public record SiglipConfig(int hiddenSize, int intermediateSize, int numLayers, int numHeads, double layerNormEps,
    Activation act, int imageSize, int patchSize, int numChannels) implements VisionTowerConfig {

  public SiglipConfig {
    InvalidInputException.check(hiddenSize > 0 && numHeads > 0 && hiddenSize % numHeads == 0,
        "SigLIP hidden_size (%s) must be a positive multiple of num_attention_heads (%s)", hiddenSize, numHeads);
    InvalidInputException.check(numLayers > 0 && intermediateSize > 0, "SigLIP num_hidden_layers (%s) and "
        + "intermediate_size (%s) must be > 0", numLayers, intermediateSize);
  }

  /** LLaVA-OneVision's default tower when {@code vision_config} is absent: SigLIP so400m at 384 px, patch 14. */
  public static final SiglipConfig ONEVISION_DEFAULT = new SiglipConfig(1152, 4304, 26, 16, 1e-6,
      Activation.GELU_TANH, 384, 14, 3);

  /**
   * Reads a {@code vision_config} of {@code model_type siglip_vision_model}.
   *
   * @throws org.visualscratchpad.CheckpointFormatException naming the file and field of a bad value
   */
  public static SiglipConfig read(ConfigJson c) {
    String type = c.getString("model_type", "siglip_vision_model");
    if (!type.equals("siglip_vision_model")) {
      throw c.bad("model_type", type, "siglip_vision_model (LLaVA-OneVision's tower)");
    }
    int image = c.getInt("image_size", 224);
    int patch = c.getInt("patch_size", 16);
    // SigLIP's patch grid is image_size // patch_size a side (so400m/14 at 384 px: 27, its last 6 px unused)
    if (patch <= 0 || image < patch) {
      throw c.bad("patch_size", patch, "a positive size at most image_size (" + image + ")");
    }
    int hidden = c.getInt("hidden_size", 768);
    int heads = c.getInt("num_attention_heads", 12);
    if (heads <= 0 || hidden % heads != 0) {
      throw c.bad("num_attention_heads", heads, "a positive divisor of hidden_size (" + hidden + ")");
    }
    int channels = c.getInt("num_channels", 3);
    if (channels != 3) {
      throw c.bad("num_channels", channels, "3 (RGB)");
    }
    return new SiglipConfig(hidden, c.getInt("intermediate_size", 3072), c.getInt("num_hidden_layers", 12), heads,
        c.getDouble("layer_norm_eps", 1e-6), Activation.parse(c, "hidden_act", "gelu_pytorch_tanh"), image, patch,
        channels);
  }

  /** SigLIP has no CLS token. */
  @Override
  public boolean hasClsToken() {
    return false;
  }

  /** {@code hiddenSize / numHeads}. */
  public int headDim() {
    return hiddenSize / numHeads;
  }
}
