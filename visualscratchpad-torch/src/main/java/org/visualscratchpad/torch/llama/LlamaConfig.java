package org.visualscratchpad.torch.llama;

import com.fasterxml.jackson.databind.JsonNode;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;

/**
 * A Llama or Mistral decoder's configuration ({@code LlamaConfig} / {@code MistralConfig}) with the
 * Hugging Face class defaults for omitted keys.
 *
 * <pre>{@code
 * jshell> LlamaConfig.read(ConfigJson.read(Path.of("llava-1.5-7b-hf")).child("text_config"))
 * $1 ==> LlamaConfig[modelType=llama, hiddenSize=4096, ..., numKeyValueHeads=32, headDim=128, ...]
 * }</pre>
 *
 * @param modelType {@code llama} or {@code mistral}
 * @param hiddenSize residual width
 * @param intermediateSize MLP width
 * @param numLayers decoder layers
 * @param numHeads query heads
 * @param numKeyValueHeads key/value heads (GQA when fewer than {@code numHeads})
 * @param headDim per-head width
 * @param vocabSize vocabulary size
 * @param rmsNormEps RMSNorm epsilon
 * @param ropeTheta RoPE base
 * @param ropeScaling the {@code llama3} rope scaling, or null for plain RoPE
 * @param maxPositionEmbeddings the context length
 * @param slidingWindow Mistral's attention window, 0 for full causal attention
 */
public record LlamaConfig(
    String modelType, int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKeyValueHeads,
    int headDim, int vocabSize, double rmsNormEps, double ropeTheta, Llama3RopeScaling ropeScaling,
    int maxPositionEmbeddings, int slidingWindow) {

  public LlamaConfig {
    InvalidInputException.check(numHeads > 0 && numKeyValueHeads > 0 && numHeads % numKeyValueHeads == 0,
        "num_attention_heads (%s) must be a multiple of num_key_value_heads (%s)", numHeads, numKeyValueHeads);
    InvalidInputException.check(headDim > 0 && headDim % 2 == 0, "head_dim (%s) must be even and > 0", headDim);
    InvalidInputException.check(slidingWindow >= 0, "sliding_window (%s) must be >= 0", slidingWindow);
  }

  /**
   * The {@code llama3} rope scaling of Llama-3.1+ configs.
   *
   * @param factor {@code factor}
   * @param lowFreqFactor {@code low_freq_factor}
   * @param highFreqFactor {@code high_freq_factor}
   * @param originalMaxPositions {@code original_max_position_embeddings}
   */
  public record Llama3RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {}

  /**
   * Reads a {@code text_config} object.
   *
   * @throws org.visualscratchpad.CheckpointFormatException for an unknown {@code model_type} or
   *     rope type, or an invalid value
   */
  public static LlamaConfig read(ConfigJson c) {
    String type = c.getString("model_type", "llama");
    boolean mistral;
    switch (type) {
      case "llama" -> mistral = false;
      case "mistral" -> mistral = true;
      default -> throw c.bad("model_type", type, "llama or mistral (the language models of LLaVA-1.5 and LLaVA-NeXT)");
    }
    int hidden = c.getInt("hidden_size", 4096);
    int heads = c.getInt("num_attention_heads", 32);
    int kv = c.getInt("num_key_value_heads", mistral ? 8 : heads);
    int headDim = c.getInt("head_dim", hidden / heads);
    Llama3RopeScaling scaling = null;
    double theta = c.getDouble("rope_theta", 10000.0);
    JsonNode rs = c.raw("rope_scaling");
    JsonNode rp = c.raw("rope_parameters");
    if (rp != null && rp.isObject()) {
      if (rp.has("rope_theta")) {
        theta = rp.get("rope_theta").asDouble();
      }
      rs = rp;
    }
    if (rs != null && rs.isObject()) {
      String rt = rs.has("rope_type") ? rs.get("rope_type").asText() : rs.has("type") ? rs.get("type").asText() : "default";
      if (rt.equals("llama3")) {
        scaling = new Llama3RopeScaling(rs.path("factor").asDouble(8.0), rs.path("low_freq_factor").asDouble(1.0),
            rs.path("high_freq_factor").asDouble(4.0), rs.path("original_max_position_embeddings").asInt(8192));
      } else if (!rt.equals("default")) {
        throw c.bad("rope_scaling", rs, "null, default or llama3 (other rope types are not supported)");
      }
    }
    int window = 0;
    if (mistral) {
      // MistralConfig's default is 4096; an explicit null (the LLaVA-NeXT checkpoints) means none
      window = c.containsKey("sliding_window") ? c.getInt("sliding_window", 0) : 4096;
    }
    return new LlamaConfig(type, hidden, c.getInt("intermediate_size", mistral ? 14336 : 11008),
        c.getInt("num_hidden_layers", 32), heads, kv, headDim, c.getInt("vocab_size", 32000),
        c.getDouble("rms_norm_eps", 1e-6), theta, scaling,
        c.getInt("max_position_embeddings", mistral ? 4096 * 32 : 2048), window);
  }

  /** Query heads per key/value head. */
  public int groupSize() {
    return numHeads / numKeyValueHeads;
  }
}
