package org.visualscratchpad.torch.cpu;

/**
 * A vision transformer on the CPU engine, run layer by layer so that a hook is ordinary code between two
 * layers: {@code hidden_states[0]} is the family's embedding of the pixels (a {@link VisionStream}), {@code
 * hidden_states[l + 1]} the stream after {@link #layer}{@code (l, ...)}. Implementations are immutable and
 * thread-safe (per-call buffers live in the stream).
 */
public interface CpuVisionTower {

  /** Width of the residual stream. */
  int hiddenSize();

  /** Encoder layers of the architecture. */
  int numLayers();

  /** Encoder layers loaded (a model loads only those it runs). */
  int loadedLayers();

  /**
   * Whether each crop's stream starts with a CLS row (CLIP: row 0 is CLS, row {@code k + 1} patch {@code k};
   * SigLIP and Qwen2-VL's ViT have none: row {@code k} is patch {@code k}).
   */
  boolean hasClsToken();

  /** Receives the attention probabilities of a layer, block by block; for reference traces. */
  interface AttentionSink {
    /** Probabilities of head {@code head} of crop {@code crop} for query rows {@code q0 ..}: {@code probs[r * keys + k]}. */
    void accept(int crop, int head, int q0, int rows, int keys, float[] probs);
  }

  /**
   * Runs encoder layer {@code layer} on {@code stream} in place.
   *
   * @param sink receives the layer's attention probabilities, or null
   */
  void layer(int layer, VisionStream stream, AttentionSink sink);

  /**
   * The tower's final norm ({@code post_layernorm}) applied to a copy of {@code stream}, or null when it has none
   * or did not load it. Only reference traces ask for it.
   */
  default float[] postLayerNorm(VisionStream stream) {
    return null;
  }
}
