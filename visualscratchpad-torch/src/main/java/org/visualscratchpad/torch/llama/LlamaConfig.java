package org.visualscratchpad.torch.llama;

import com.fasterxml.jackson.databind.JsonNode;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;

/**
 * A Llama, Mistral or Qwen2 decoder's configuration ({@code LlamaConfig} / {@code MistralConfig} / {@code
 * Qwen2Config}) with the Hugging Face class defaults for omitted keys. The three differ only in their defaults,
 * Mistral's sliding window and Qwen2's biases on the query, key and value projections ({@link #attentionBias}).
 *
 * <pre>{@code
 * jshell> LlamaConfig.read(ConfigJson.read(Path.of("llava-1.5-7b-hf")).child("text_config"))
 * $1 ==> LlamaConfig[modelType=llama, hiddenSize=4096, ..., numKeyValueHeads=32, headDim=128, ...]
 * }</pre>
 *
 * @param modelType {@code llama}, {@code mistral} or {@code qwen2}
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
 * @param attentionBias whether the query, key and value projections have biases (Qwen2; the output projection never does)
 * @param tieWordEmbeddings whether the output head is the token embedding ({@code tie_word_embeddings}), used
 *     when the checkpoint holds no {@code lm_head.weight}
 */
public record LlamaConfig(
    String modelType, int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKeyValueHeads,
    int headDim, int vocabSize, double rmsNormEps, double ropeTheta, Llama3RopeScaling ropeScaling,
    int maxPositionEmbeddings, int slidingWindow, boolean attentionBias, boolean tieWordEmbeddings) {

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
   * Reads a {@code text_config} object whose {@code model_type} defaults to {@code llama} (LLaVA's default).
   *
   * @throws org.visualscratchpad.CheckpointFormatException for an unknown {@code model_type} or
   *     rope type, or an invalid value
   */
  public static LlamaConfig read(ConfigJson c) {
    return read(c, "llama");
  }

  /**
   * Reads a {@code text_config} object; {@code defaultType} is the model type the enclosing config assumes when
   * the key is absent ({@code llama} for LLaVA, {@code qwen2} for LLaVA-OneVision).
   *
   * @throws org.visualscratchpad.CheckpointFormatException for an unknown {@code model_type} or
   *     rope type, or an invalid value
   */
  public static LlamaConfig read(ConfigJson c, String defaultType) {
    String type = c.getString("model_type", defaultType);
    boolean mistral = type.equals("mistral");
    boolean qwen2 = type.equals("qwen2");
    if (!type.equals("llama") && !mistral && !qwen2) {
      throw c.bad("model_type", type, "llama, mistral or qwen2 (the language models this library runs)");
    }
    String act = c.getString("hidden_act", "silu");
    if (!act.equals("silu") && !act.equals("swish")) {
      throw c.bad("hidden_act", act, "silu (the MLP activation of Llama, Mistral and Qwen2)");
    }
    if (!qwen2 && c.getBoolean("attention_bias", false)) {
      throw c.bad("attention_bias", true, "false (biases on Llama's attention projections are not supported)");
    }
    if (qwen2 && c.getBoolean("use_sliding_window", false)) {
      throw c.bad("use_sliding_window", true, "false (Qwen2's sliding-window attention is not supported)");
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
    return new LlamaConfig(type, hidden, c.getInt("intermediate_size", mistral ? 14336 : qwen2 ? 22016 : 11008),
        c.getInt("num_hidden_layers", 32), heads, kv, headDim, c.getInt("vocab_size", qwen2 ? 151936 : 32000),
        c.getDouble("rms_norm_eps", 1e-6), theta, scaling,
        c.getInt("max_position_embeddings", mistral ? 4096 * 32 : qwen2 ? 32768 : 2048), window,
        qwen2, c.getBoolean("tie_word_embeddings", false));
  }

  /** Query heads per key/value head. */
  public int groupSize() {
    return numHeads / numKeyValueHeads;
  }
}
