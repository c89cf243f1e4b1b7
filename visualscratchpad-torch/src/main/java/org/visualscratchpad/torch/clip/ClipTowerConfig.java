package org.visualscratchpad.torch.clip;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.nn.Activation;

/**
 * The configuration of one CLIP tower ({@code CLIPVisionConfig} or {@code CLIPTextConfig}), with
 * the Hugging Face class defaults for omitted keys.
 *
 * <pre>{@code
 * jshell> ClipTowerConfig.vision(ConfigJson.read(Path.of("clip")).child("vision_config"))
 * }</pre>
 *
 * @param hiddenSize width of the residual stream
 * @param intermediateSize MLP width
 * @param numLayers encoder layers
 * @param numHeads attention heads
 * @param layerNormEps LayerNorm epsilon
 * @param act MLP activation
 * @param imageSize crop side in pixels (vision; 0 for text)
 * @param patchSize patch side in pixels (vision; 0 for text)
 * @param numChannels image channels (vision; 0 for text)
 * @param vocabSize vocabulary (text; 0 for vision)
 * @param maxPositions position embeddings (text; 0 for vision)
 * @param eosTokenId the text config's eos id (2 selects the legacy argmax pooling)
 */
public record ClipTowerConfig(
    int hiddenSize, int intermediateSize, int numLayers, int numHeads, double layerNormEps, Activation act,
    int imageSize, int patchSize, int numChannels, int vocabSize, int maxPositions, int eosTokenId)
    implements org.visualscratchpad.torch.family.VisionTowerConfig {

  public ClipTowerConfig {
    InvalidInputException.check(hiddenSize > 0 && numHeads > 0 && hiddenSize % numHeads == 0,
        "CLIP hidden_size (%s) must be a positive multiple of num_attention_heads (%s)", hiddenSize, numHeads);
    InvalidInputException.check(numLayers > 0, "CLIP num_hidden_layers (%s) must be > 0", numLayers);
  }

  /** Reads a {@code vision_config} (or a {@code CLIPVisionModel}'s root config). */
  public static ClipTowerConfig vision(ConfigJson c) {
    int image = c.getInt("image_size", 224);
    int patch = c.getInt("patch_size", 32);
    if (patch <= 0 || image % patch != 0) {
      throw c.bad("patch_size", patch, "a positive divisor of image_size (" + image + ")");
    }
    return new ClipTowerConfig(c.getInt("hidden_size", 768), c.getInt("intermediate_size", 3072),
        c.getInt("num_hidden_layers", 12), c.getInt("num_attention_heads", 12), c.getDouble("layer_norm_eps", 1e-5),
        Activation.parse(c, "hidden_act", "quick_gelu"), image, patch, c.getInt("num_channels", 3), 0, 0, 0);
  }

  /** Reads a {@code text_config}. */
  public static ClipTowerConfig text(ConfigJson c) {
    return new ClipTowerConfig(c.getInt("hidden_size", 512), c.getInt("intermediate_size", 2048),
        c.getInt("num_hidden_layers", 12), c.getInt("num_attention_heads", 8), c.getDouble("layer_norm_eps", 1e-5),
        Activation.parse(c, "hidden_act", "quick_gelu"), 0, 0, 0, c.getInt("vocab_size", 49408),
        c.getInt("max_position_embeddings", 77), c.getInt("eos_token_id", 2));
  }

  /** Patches per side. */
  @Override
  public int gridSize() {
    return patchSize == 0 ? 0 : imageSize / patchSize;
  }

  /** CLIP's crops start with CLS. */
  @Override
  public boolean hasClsToken() {
    return true;
  }

  /** Tokens per crop: CLS plus the patches (vision). */
  @Override
  public int tokensPerCrop() {
    return gridSize() * gridSize() + 1;
  }

  /** {@code hiddenSize / numHeads}. */
  public int headDim() {
    return hiddenSize / numHeads;
  }
}
