package org.visualscratchpad.torch.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.llama.LlamaConfig;
import org.visualscratchpad.torch.llama.LlamaDecoder;

/**
 * The Llama / Mistral / Qwen2 decoder on the CPU engine: RMSNorm, grouped-query attention with rotate-half
 * RoPE (plain or {@code llama3}-scaled, or a family's own {@link RotaryEmbedding}), Qwen2's query/key/value
 * biases, SiLU MLP, Mistral's sliding window, eager attention whose probabilities can be observed block by
 * block, and a KV cache. Activations are {@code [B, S, d]} float arrays. Immutable and thread-safe for calls
 * with separate caches.
 *
 * <p>Positions come in rows: {@code positions[r][b][s]}. The standard rotary embedding reads one row (HF's
 * {@code position_ids}); a family whose language model numbers positions otherwise (Qwen2-VL's M-RoPE: three
 * rows, temporal, height and width) passes its own {@link RotaryEmbedding}, which turns the rows into the
 * cosines and sines of every position.
 */
public final class CpuLlama {
  /**
   * The rotary embedding: position rows to {@code [cos, sin]}, each {@code [B * S * headDim / 2]} (position
   * {@code (b, s)}, frequency {@code f} at {@code (b * S + s) * headDim / 2 + f}), applied rotate-half style.
   */
  public interface RotaryEmbedding {
    /** Rows of position ids it reads: 1 for standard RoPE (3 for M-RoPE). */
    int positionRows();

    /**
     * The cosines and sines of {@code positions[r][b][s]}.
     *
     * @param positions {@link #positionRows()} rows of {@code [b][s]} position ids
     */
    float[][] angles(long[][][] positions, int b, int s);
  }

  /** The standard RoPE of {@code cfg}: {@code rope_theta}, with the {@code llama3} scaling if configured. */
  public static RotaryEmbedding standardRope(LlamaConfig cfg) {
    float[] invFreq = LlamaDecoder.inverseFrequencies(cfg);
    return new RotaryEmbedding() {
      @Override
      public int positionRows() {
        return 1;
      }

      @Override
      public float[][] angles(long[][][] positions, int b, int s) {
        InvalidInputException.check(positions.length == 1,
            "this language model numbers positions with one row of ids; got %s rows", positions.length);
        return LlamaDecoder.ropeAngles(invFreq, positions[0], b, s);
      }
    };
  }

  /** Receives a layer's attention probabilities, block by block (see {@link CpuAttention.Sink}). */
  public interface LayerSink {
    boolean wants(int layer);

    void accept(int layer, int row, int head, int q0, int rows, int keys, float[] probs);
  }

  private final LlamaConfig cfg;
  private final PackedWeight embedTokens;  // (vocab, d)
  private final List<Layer> layers = new ArrayList<>();
  private final float[] norm;
  private final PackedWeight lmHead;       // (vocab, d)
  private final RotaryEmbedding rotary;

  /** The decoder under {@code prefix} with the standard RoPE of {@code cfg}. */
  public CpuLlama(CpuWeights w, String prefix, String lmHeadName, LlamaConfig cfg) {
    this(w, prefix, lmHeadName, cfg, standardRope(cfg));
  }

  /**
   * The decoder under {@code prefix} ({@code embed_tokens}, {@code layers.i}, {@code norm}) with output head
   * {@code lmHeadName} (the token embedding when the checkpoint has no such tensor and {@code
   * tie_word_embeddings} is set) and rotary embedding {@code rotary}.
   */
  public CpuLlama(CpuWeights w, String prefix, String lmHeadName, LlamaConfig cfg, RotaryEmbedding rotary) {
    this.cfg = cfg;
    this.rotary = rotary;
    int d = cfg.hiddenSize();
    embedTokens = w.matrix(prefix + ".embed_tokens.weight", cfg.vocabSize(), d);
    for (int l = 0; l < cfg.numLayers(); l++) {
      layers.add(new Layer(w, prefix + ".layers." + l, cfg));
    }
    norm = w.floats(prefix + ".norm.weight", d);
    lmHead = cfg.tieWordEmbeddings() && !w.has(lmHeadName) ? embedTokens : w.matrix(lmHeadName, cfg.vocabSize(), d);
  }

  /** Rows of position ids {@link #forward(float[], int, int, long[][][], int[][], CpuKvCache, LayerSink,
   * BiConsumer)} takes. */
  public int positionRows() {
    return rotary.positionRows();
  }

  /** How the decoder's matrices are held. */
  public PackedWeight.Storage storage() {
    return lmHead.storage();
  }

  /** Bytes of the layers' matrices and the output head: what one decode step reads. */
  public long matrixBytes() {
    long b = lmHead.bytes();
    for (Layer l : layers) {
      b += l.qkv.bytes() + l.o.bytes() + l.gateUp.bytes() + l.down.bytes();
    }
    return b;
  }

  public LlamaConfig config() {
    return cfg;
  }

  /**
   * Token embeddings {@code [B, S, d]}; ids outside the vocabulary are refused.
   */
  public float[] embed(long[][] ids) {
    int b = ids.length;
    int s = ids[0].length;
    int d = cfg.hiddenSize();
    float[] out = new float[b * s * d];
    for (int i = 0; i < b; i++) {
      InvalidInputException.check(ids[i].length == s, "every row of input_ids must have length %s", s);
      for (int t = 0; t < s; t++) {
        long id = ids[i][t];
        InvalidInputException.check(id >= 0 && id < cfg.vocabSize(),
            "token id (%s) at position %s must lie in [0, vocab_size = %s)", id, t, cfg.vocabSize());
        embedTokens.row((int) id, out, (i * s + t) * d);
      }
    }
    return out;
  }

  /**
   * Runs every layer on {@code x [B, S, d]} (left as the last layer's output) and appends to {@code cache}.
   *
   * @param hidden receives {@code (i, hidden_states[i])} as HF records them (the last is the normed
   *     output), or null
   * @return the final-normed hidden states {@code [B, S, d]}
   */
  public float[] forward(float[] x, int b, int s, long[][] positions, int[][] mask, CpuKvCache cache, LayerSink sink,
      BiConsumer<Integer, float[]> hidden) {
    return forward(x, b, s, new long[][][] {positions}, mask, cache, sink, hidden);
  }

  /**
   * {@link #forward(float[], int, int, long[][], int[][], CpuKvCache, LayerSink, BiConsumer)} with the position
   * ids in rows ({@code positions[r][b][s]}, as many rows as the rotary embedding reads).
   */
  public float[] forward(float[] x, int b, int s, long[][][] positions, int[][] mask, CpuKvCache cache,
      LayerSink sink, BiConsumer<Integer, float[]> hidden) {
    InvalidInputException.check(positions.length == rotary.positionRows(),
        "position ids have %s rows; this language model takes %s", positions.length, rotary.positionRows());
    int past = cache.length();
    int total = past + s;
    InvalidInputException.check(total <= cfg.maxPositionEmbeddings(),
        "sequence length (%s) must be at most the context length max_position_embeddings (%s). Shorten the prompt "
            + "or generate fewer tokens.", total, cfg.maxPositionEmbeddings());
    cache.append(mask);
    float[][] rope = rotary.angles(positions, b, s);
    if (hidden != null) {
      hidden.accept(0, x.clone());
    }
    Scratch scratch = new Scratch(cfg, b * s);
    for (int l = 0; l < layers.size(); l++) {
      layers.get(l).forward(x, b, s, past, rope, cache, l, sink, scratch);
      if (hidden != null && l < layers.size() - 1) {
        hidden.accept(l + 1, x.clone());
      }
    }
    float[] out = new float[x.length];
    CpuOps.rmsNorm(x, b * s, cfg.hiddenSize(), norm, (float) cfg.rmsNormEps(), out);
    if (hidden != null) {
      hidden.accept(layers.size(), out);
    }
    return out;
  }

  /** Logits {@code [rows, vocab]} of {@code rows} normed hidden rows of {@code h} starting at row {@code from}. */
  public float[] logits(float[] h, int from, int rows) {
    int d = cfg.hiddenSize();
    float[] x = java.util.Arrays.copyOfRange(h, from * d, (from + rows) * d);
    float[] y = new float[rows * cfg.vocabSize()];
    CpuOps.linear(x, rows, lmHead, null, y);
    return y;
  }

  /** Per-forward buffers, reused by every layer. */
  private static final class Scratch {
    final float[] h;
    final float[] q;
    final float[] k;
    final float[] v;
    final float[] attn;
    final float[] gate;
    final float[] up;
    final float[] fused;

    Scratch(LlamaConfig cfg, int rows) {
      int d = cfg.hiddenSize();
      int qd = cfg.numHeads() * cfg.headDim();
      int kvd = cfg.numKeyValueHeads() * cfg.headDim();
      h = new float[rows * d];
      q = new float[rows * qd];
      k = new float[rows * kvd];
      v = new float[rows * kvd];
      attn = new float[rows * Math.max(qd, d)];
      gate = new float[rows * cfg.intermediateSize()];
      up = new float[rows * cfg.intermediateSize()];
      fused = new float[rows * Math.max(qd + 2 * kvd, 2 * cfg.intermediateSize())];
    }
  }

  /** One decoder layer. */
  private static final class Layer {
    private final LlamaConfig cfg;
    private final float[] inputNorm;
    private final float[] postNorm;
    private final PackedWeight qkv;      // q, k and v stacked: one pass over the normed input
    private final float[] qkvBias;       // Qwen2's q, k and v biases stacked, or null
    private final PackedWeight o;
    private final PackedWeight gateUp;   // gate and up stacked
    private final PackedWeight down;

    Layer(CpuWeights w, String prefix, LlamaConfig cfg) {
      this.cfg = cfg;
      int d = cfg.hiddenSize();
      int qd = cfg.numHeads() * cfg.headDim();
      int kvd = cfg.numKeyValueHeads() * cfg.headDim();
      int i = cfg.intermediateSize();
      inputNorm = w.floats(prefix + ".input_layernorm.weight", d);
      qkv = w.stacked(new String[] {prefix + ".self_attn.q_proj.weight", prefix + ".self_attn.k_proj.weight",
          prefix + ".self_attn.v_proj.weight"}, new int[] {qd, kvd, kvd}, d);
      if (cfg.attentionBias()) {
        qkvBias = new float[qd + 2 * kvd];
        System.arraycopy(w.floats(prefix + ".self_attn.q_proj.bias", qd), 0, qkvBias, 0, qd);
        System.arraycopy(w.floats(prefix + ".self_attn.k_proj.bias", kvd), 0, qkvBias, qd, kvd);
        System.arraycopy(w.floats(prefix + ".self_attn.v_proj.bias", kvd), 0, qkvBias, qd + kvd, kvd);
      } else {
        qkvBias = null;
      }
      o = w.matrix(prefix + ".self_attn.o_proj.weight", d, qd);
      postNorm = w.floats(prefix + ".post_attention_layernorm.weight", d);
      gateUp = w.stacked(new String[] {prefix + ".mlp.gate_proj.weight", prefix + ".mlp.up_proj.weight"},
          new int[] {i, i}, d);
      down = w.matrix(prefix + ".mlp.down_proj.weight", d, i);
    }

    void forward(float[] x, int b, int s, int past, float[][] rope, CpuKvCache cache, int layer, LayerSink sink,
        Scratch t) {
      int d = cfg.hiddenSize();
      int heads = cfg.numHeads();
      int kvHeads = cfg.numKeyValueHeads();
      int hd = cfg.headDim();
      int qd = heads * hd;
      int kvd = kvHeads * hd;
      int rows = b * s;
      float eps = (float) cfg.rmsNormEps();
      CpuOps.rmsNorm(x, rows, d, inputNorm, eps, t.h);
      CpuOps.linear(t.h, rows, qkv, qkvBias, t.fused);
      split(t.fused, rows, t.q, qd, t.k, kvd, t.v, kvd);
      rotate(t.q, rows, heads, hd, rope);
      rotate(t.k, rows, kvHeads, hd, rope);
      float[] keys = cache.keys[layer];
      float[] values = cache.values[layer];
      for (int i = 0; i < b; i++) {
        int dst = (i * cache.capacity + past) * kvd;
        System.arraycopy(t.k, i * s * kvd, keys, dst, s * kvd);
        System.arraycopy(t.v, i * s * kvd, values, dst, s * kvd);
      }
      int total = past + s;
      int window = cfg.slidingWindow();
      float scale = (float) (1.0 / Math.sqrt(hd));
      boolean observe = sink != null && sink.wants(layer);
      for (int i = 0; i < b; i++) {
        final int row = i;
        CpuAttention.Mask mask = (q0, n, keyCount, allowed) -> {
          for (int r = 0; r < n; r++) {
            int qi = past + q0 + r;
            for (int kk = 0; kk < keyCount; kk++) {
              allowed[r * keyCount + kk] = kk <= qi && cache.isValid(row, kk) && (window == 0 || kk > qi - window);
            }
          }
        };
        CpuAttention.Sink probs = observe ? (h, q0, n, keyCount, p) -> sink.accept(layer, row, h, q0, n, keyCount, p)
            : null;
        CpuAttention.attend(s, total, heads, kvHeads, hd, scale, t.q, i * s * qd, keys, i * cache.capacity * kvd,
            values, i * cache.capacity * kvd, t.attn, i * s * qd, mask, probs);
      }
      CpuOps.linear(t.attn, rows, o, null, t.h);
      CpuOps.addInPlace(x, t.h, rows * d);
      CpuOps.rmsNorm(x, rows, d, postNorm, eps, t.h);
      int inter = cfg.intermediateSize();
      CpuOps.linear(t.h, rows, gateUp, null, t.fused);
      split(t.fused, rows, t.gate, inter, t.up, inter, null, 0);
      CpuOps.siluMul(t.gate, t.up, rows * inter);
      CpuOps.linear(t.gate, rows, down, null, t.h);
      CpuOps.addInPlace(x, t.h, rows * d);
    }

    /** Splits rows {@code [a | b | c]} of a stacked linear's output into {@code a}, {@code b}, {@code c}. */
    private static void split(float[] fused, int rows, float[] a, int wa, float[] b, int wb, float[] c, int wc) {
      int w = wa + wb + wc;
      for (int r = 0; r < rows; r++) {
        System.arraycopy(fused, r * w, a, r * wa, wa);
        System.arraycopy(fused, r * w + wa, b, r * wb, wb);
        if (c != null) {
          System.arraycopy(fused, r * w + wa + wb, c, r * wc, wc);
        }
      }
    }

    /** Rotate-half RoPE in place on {@code [rows, heads * hd]}. */
    private static void rotate(float[] x, int rows, int heads, int hd, float[][] rope) {
      int half = hd / 2;
      float[] cos = rope[0];
      float[] sin = rope[1];
      for (int r = 0; r < rows; r++) {
        int cb = r * half;
        for (int h = 0; h < heads; h++) {
          int base = (r * heads + h) * hd;
          for (int f = 0; f < half; f++) {
            float x1 = x[base + f];
            float x2 = x[base + f + half];
            float c = cos[cb + f];
            float sn = sin[cb + f];
            x[base + f] = x1 * c - x2 * sn;
            x[base + f + half] = x2 * c + x1 * sn;
          }
        }
      }
    }
  }
}
