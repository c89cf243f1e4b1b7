package org.visualscratchpad.torch.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.checkpoint.Weights;
import org.visualscratchpad.torch.nn.Activation;
import org.visualscratchpad.torch.nn.Linear;
import org.visualscratchpad.torch.nn.RmsNorm;

/**
 * The Llama / Mistral decoder ({@code LlamaModel} + {@code lm_head}): RMSNorm, grouped-query
 * attention with rotate-half RoPE (plain or {@code llama3}-scaled), SiLU MLP, Mistral's sliding
 * window, eager attention whose probabilities can be observed per layer, and a KV cache.
 *
 * <p>Weights live in the owning model's manager; each call works in the manager of its input.
 * Internal to the torch backend (DJL types in signatures); thread-safe for concurrent calls with
 * separate caches.
 */
public final class LlamaDecoder {

  /** Receives the attention probabilities {@code [B, heads, S, T]} of one layer, as computed. */
  @FunctionalInterface
  public interface AttentionListener {
    void onLayer(int layer, NDArray probs);
  }

  private final LlamaConfig cfg;
  private final NDArray embedTokens;   // (vocab, d)
  private final List<Layer> layers = new ArrayList<>();
  private final RmsNorm norm;
  private final NDArray lmHeadT;       // (d, vocab)
  private final float[] invFreq;       // (headDim / 2)

  private LlamaDecoder(Weights w, String prefix, String lmHead, LlamaConfig cfg) {
    this.cfg = cfg;
    long d = cfg.hiddenSize();
    embedTokens = w.load(prefix + ".embed_tokens.weight", cfg.vocabSize(), d);
    for (int l = 0; l < cfg.numLayers(); l++) {
      layers.add(new Layer(w, prefix + ".layers." + l, cfg));
    }
    norm = RmsNorm.load(w, prefix + ".norm", d, cfg.rmsNormEps());
    lmHeadT = w.load(lmHead, cfg.vocabSize(), d).transpose();
    invFreq = inverseFrequencies(cfg);
  }

  /**
   * Loads the decoder whose keys start with {@code prefix} ({@code language_model} after key
   * normalisation) and the output head {@code lmHead} ({@code lm_head.weight}).
   */
  public static LlamaDecoder load(Weights w, String prefix, String lmHead, LlamaConfig cfg) {
    org.visualscratchpad.InvalidInputException.check(!cfg.attentionBias(),
        "the %s language model (attention biases) runs on the CPU engine only: load it with --device cpu", cfg.modelType());
    return new LlamaDecoder(w, prefix, lmHead, cfg);
  }

  public LlamaConfig config() {
    return cfg;
  }

  /** RoPE inverse frequencies in float32, with the {@code llama3} scaling if configured. */
  public static float[] inverseFrequencies(LlamaConfig cfg) {
    int half = cfg.headDim() / 2;
    float[] inv = new float[half];
    for (int i = 0; i < half; i++) {
      float exponent = (float) (2 * i) / cfg.headDim();
      inv[i] = (float) (1.0 / Math.pow(cfg.ropeTheta(), exponent));
    }
    LlamaConfig.Llama3RopeScaling s = cfg.ropeScaling();
    if (s != null) {
      double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
      double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
      for (int i = 0; i < half; i++) {
        double wavelen = 2 * Math.PI / inv[i];
        if (wavelen < highWavelen) {
          continue;
        }
        if (wavelen > lowWavelen) {
          inv[i] = (float) (inv[i] / s.factor());
        } else {
          double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
              / (s.highFreqFactor() - s.lowFreqFactor());
          inv[i] = (float) ((1 - smooth) * inv[i] / s.factor() + smooth * inv[i]);
        }
      }
    }
    return inv;
  }

  /**
   * Token embeddings {@code [B, S, d]} in {@code m}.
   *
   * @throws InvalidInputException if an id is outside the vocabulary
   */
  public NDArray embed(NDManager m, long[][] ids) {
    int b = ids.length;
    int s = ids[0].length;
    long[] flat = new long[b * s];
    for (int i = 0; i < b; i++) {
      InvalidInputException.check(ids[i].length == s, "every row of input_ids must have length %s", s);
      for (int t = 0; t < s; t++) {
        long id = ids[i][t];
        InvalidInputException.check(id >= 0 && id < cfg.vocabSize(),
            "token id (%s) at position %s must lie in [0, vocab_size = %s)", id, t, cfg.vocabSize());
        flat[i * s + t] = id;
      }
    }
    NDArray e = embedTokens.get(new NDIndex("{}", m.create(flat)));
    e.attach(m);
    return e.reshape(b, s, cfg.hiddenSize());
  }

  /**
   * Runs every layer on {@code x} and appends to {@code cache}.
   *
   * @param x {@code [B, S, d]} input embeddings
   * @param positions {@code [B][S]} RoPE positions
   * @param mask {@code [B][S]} 1 = real token, 0 = padding, for the new positions
   * @param cache the cache (empty for a prefill), extended in place
   * @param attention receives each layer's probabilities, or null
   * @param hidden receives {@code (i, hidden_states[i])}: 0 = input, i = after layer i-1 (the last
   *     one is replaced by the normed output, as Hugging Face records it), or null
   * @return the final-normed hidden states {@code [B, S, d]}
   */
  public NDArray forward(NDArray x, long[][] positions, int[][] mask, KvCache cache, AttentionListener attention,
      BiConsumer<Integer, NDArray> hidden) {
    NDManager m = x.getManager();
    int b = (int) x.getShape().get(0);
    int s = (int) x.getShape().get(1);
    int past = cache.length();
    int total = past + s;
    InvalidInputException.check(total <= cfg.maxPositionEmbeddings(),
        "sequence length (%s) must be at most the context length max_position_embeddings (%s). Shorten the prompt "
            + "or generate fewer tokens.", total, cfg.maxPositionEmbeddings());
    cache.append(mask);
    NDArray[] rope = rope(m, positions, b, s);
    NDArray additive = additiveMask(m, cache, b, s, past, total);
    if (hidden != null) {
      hidden.accept(0, x);
    }
    for (int l = 0; l < layers.size(); l++) {
      final int layer = l;
      x = layers.get(l).forward(x, rope[0], rope[1], additive, cache, l,
          attention == null ? null : p -> attention.onLayer(layer, p));
      if (hidden != null && l < layers.size() - 1) {
        hidden.accept(l + 1, x);
      }
    }
    NDArray out = norm.apply(x);
    if (hidden != null) {
      hidden.accept(layers.size(), out);
    }
    return out;
  }

  /**
   * Starts {@code cache} with the first {@code length} cached positions of a prompt cache (batch 1).
   *
   * @param keys per layer {@code [nKV * length * headDim]}
   * @param values per layer, same shape
   */
  public void preload(NDManager m, KvCache cache, java.util.List<float[]> keys, java.util.List<float[]> values,
      int length) {
    cache.preload(m, keys, values, cfg.numKeyValueHeads(), length, cfg.headDim());
  }

  /** {@code h [B, S, d]} to logits {@code [B, S, vocab]}. */
  public NDArray logits(NDArray h) {
    return h.matMul(lmHeadT);
  }

  private NDArray[] rope(NDManager m, long[][] positions, int b, int s) {
    int hd = cfg.headDim();
    int half = hd / 2;
    float[][] angles = ropeAngles(invFreq, positions, b, s);
    float[] cos = new float[b * s * hd];
    float[] sin = new float[b * s * hd];
    for (int r = 0; r < b * s; r++) {
      for (int f = 0; f < half; f++) {
        cos[r * hd + f] = angles[0][r * half + f];
        cos[r * hd + f + half] = angles[0][r * half + f];
        sin[r * hd + f] = angles[1][r * half + f];
        sin[r * hd + f + half] = angles[1][r * half + f];
      }
    }
    return new NDArray[] {m.create(cos, new Shape(b, 1, s, hd)), m.create(sin, new Shape(b, 1, s, hd))};
  }

  /**
   * RoPE's cosines and sines {@code [B * S, headDim / 2]} of every position: {@code position *
   * invFreq[f]} in float32, as Hugging Face computes it. Both engines.
   */
  public static float[][] ropeAngles(float[] invFreq, long[][] positions, int b, int s) {
    int half = invFreq.length;
    float[] cos = new float[b * s * half];
    float[] sin = new float[b * s * half];
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < s; t++) {
        float p = positions[i][t];
        int base = (i * s + t) * half;
        for (int f = 0; f < half; f++) {
          float phase = p * invFreq[f];
          cos[base + f] = (float) Math.cos(phase);
          sin[base + f] = (float) Math.sin(phase);
        }
      }
    }
    return new float[][] {cos, sin};
  }

  private NDArray additiveMask(NDManager m, KvCache cache, int b, int s, int past, int total) {
    float min = -Float.MAX_VALUE;
    int window = cfg.slidingWindow();
    float[] data = new float[b * s * total];
    for (int i = 0; i < b; i++) {
      for (int q = 0; q < s; q++) {
        int qi = past + q;
        int base = (i * s + q) * total;
        for (int k = 0; k < total; k++) {
          boolean allowed = k <= qi && cache.isValid(i, k) && (window == 0 || k > qi - window);
          data[base + k] = allowed ? 0f : min;
        }
      }
    }
    return m.create(data, new Shape(b, 1, s, total));
  }

  /** One decoder layer; weights owned by the model. */
  private static final class Layer {
    private final LlamaConfig cfg;
    private final RmsNorm inputNorm;
    private final RmsNorm postNorm;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear o;
    private final Linear gate;
    private final Linear up;
    private final Linear down;

    Layer(Weights w, String prefix, LlamaConfig cfg) {
      this.cfg = cfg;
      long d = cfg.hiddenSize();
      long qd = (long) cfg.numHeads() * cfg.headDim();
      long kvd = (long) cfg.numKeyValueHeads() * cfg.headDim();
      long i = cfg.intermediateSize();
      inputNorm = RmsNorm.load(w, prefix + ".input_layernorm", d, cfg.rmsNormEps());
      q = Linear.load(w, prefix + ".self_attn.q_proj", qd, d, false);   // (heads * hd, d)
      k = Linear.load(w, prefix + ".self_attn.k_proj", kvd, d, false);  // (kv_heads * hd, d)
      v = Linear.load(w, prefix + ".self_attn.v_proj", kvd, d, false);
      o = Linear.load(w, prefix + ".self_attn.o_proj", d, qd, false);   // (d, heads * hd)
      postNorm = RmsNorm.load(w, prefix + ".post_attention_layernorm", d, cfg.rmsNormEps());
      gate = Linear.load(w, prefix + ".mlp.gate_proj", i, d, false);    // (intermediate, d)
      up = Linear.load(w, prefix + ".mlp.up_proj", i, d, false);
      down = Linear.load(w, prefix + ".mlp.down_proj", d, i, false);    // (d, intermediate)
    }

    NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray mask, KvCache cache, int layer,
        java.util.function.Consumer<NDArray> probsSink) {
      long b = x.getShape().get(0);
      long s = x.getShape().get(1);
      int heads = cfg.numHeads();
      int kvHeads = cfg.numKeyValueHeads();
      int hd = cfg.headDim();
      int g = cfg.groupSize();
      NDArray h = inputNorm.apply(x);
      NDArray qs = rotate(q.apply(h).reshape(b, s, heads, hd).transpose(0, 2, 1, 3), cos, sin);
      NDArray ks = rotate(k.apply(h).reshape(b, s, kvHeads, hd).transpose(0, 2, 1, 3), cos, sin);
      NDArray vs = v.apply(h).reshape(b, s, kvHeads, hd).transpose(0, 2, 1, 3);
      if (cache.keys[layer] != null) {
        NDArray oldK = cache.keys[layer];
        NDArray oldV = cache.values[layer];
        ks = NDArrays.concat(new NDList(oldK, ks), 2);
        vs = NDArrays.concat(new NDList(oldV, vs), 2);
        ks.attach(x.getManager());
        vs.attach(x.getManager());
        oldK.close();
        oldV.close();
      }
      cache.keys[layer] = ks;
      cache.values[layer] = vs;
      long t = ks.getShape().get(2);
      // query head a uses kv head a / g: group the query heads of one kv head together
      NDArray qg = qs.reshape(b, kvHeads, g * s, hd);
      NDArray scores = qg.matMul(ks.transpose(0, 1, 3, 2)).reshape(b, heads, s, t)
          .div((float) Math.sqrt(hd)).add(mask);
      NDArray probs = scores.softmax(-1);
      if (probsSink != null) {
        probsSink.accept(probs);
      }
      NDArray attn = probs.reshape(b, kvHeads, g * s, t).matMul(vs).reshape(b, heads, s, hd)
          .transpose(0, 2, 1, 3).reshape(b, s, (long) heads * hd);
      NDArray x1 = x.add(o.apply(attn));
      NDArray h2 = postNorm.apply(x1);
      return x1.add(down.apply(Activation.SILU.apply(gate.apply(h2)).mul(up.apply(h2))));
    }

    private static NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
      long hd = x.getShape().get(3);
      long half = hd / 2;
      NDArray x1 = x.get(new NDIndex("..., :" + half));
      NDArray x2 = x.get(new NDIndex("..., " + half + ":"));
      NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
      return x.mul(cos).add(rotated.mul(sin));
    }
  }
}
