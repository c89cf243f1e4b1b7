package org.visualscratchpad.torch.cpu;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.clip.ClipTowerConfig;
import org.visualscratchpad.torch.nn.Activation;

/**
 * CLIP's vision transformer on the CPU engine, run layer by layer so that hooks are ordinary code:
 * {@code hidden_states[0]} is {@link #embed}'s output (after {@code pre_layrnorm}), {@code
 * hidden_states[l + 1]} the stream after {@link #layer}{@code (l, ...)}. Streams are {@code [crops,
 * tokens, d]} float arrays (row 0 of each crop = CLS). Immutable and thread-safe.
 */
public final class CpuClipTower implements CpuVisionTower {
  private final ClipTowerConfig cfg;
  private final float[] classEmbedding;     // (d)
  private final PackedWeight patch;         // (d, 3 * ps * ps)
  private final float[] positionEmbedding;  // (tokens, d)
  private final float[] preLnW;
  private final float[] preLnB;
  private final List<Layer> layers = new ArrayList<>();

  public CpuClipTower(CpuWeights w, String prefix, ClipTowerConfig cfg, int layersToLoad) {
    this.cfg = cfg;
    int d = cfg.hiddenSize();
    int ps = cfg.patchSize();
    int c = cfg.numChannels();
    classEmbedding = w.floats(prefix + ".embeddings.class_embedding", d);
    patch = w.matrix(prefix + ".embeddings.patch_embedding.weight", d, c * ps * ps, d, c, ps, ps);
    positionEmbedding = w.floats(prefix + ".embeddings.position_embedding.weight", cfg.tokensPerCrop(), d);
    preLnW = w.floats(prefix + ".pre_layrnorm.weight", d);
    preLnB = w.floats(prefix + ".pre_layrnorm.bias", d);
    for (int l = 0; l < layersToLoad; l++) {
      layers.add(new Layer(w, prefix + ".encoder.layers." + l, cfg));
    }
  }

  /** How the tower's matrices are held. */
  public PackedWeight.Storage storage() {
    return patch.storage();
  }

  public ClipTowerConfig config() {
    return cfg;
  }

  /** Number of layers loaded (the model loads only those it runs). */
  @Override
  public int loadedLayers() {
    return layers.size();
  }

  @Override
  public int hiddenSize() {
    return cfg.hiddenSize();
  }

  @Override
  public int numLayers() {
    return cfg.numLayers();
  }

  /** CLIP's crops start with CLS. */
  @Override
  public boolean hasClsToken() {
    return true;
  }

  @Override
  public void layer(int layer, VisionStream stream, AttentionSink sink) {
    InvalidInputException.check(stream.uniform() && stream.rows(0) == cfg.tokensPerCrop(),
        "a CLIP stream has %s rows per crop", cfg.tokensPerCrop());
    if (!(stream.scratch instanceof Scratch s) || s.crops != stream.crops()) {
      stream.scratch = new Scratch(cfg, stream.crops());
    }
    layers.get(layer).forward(stream.data(), stream.crops(), (Scratch) stream.scratch, sink);
  }

  /**
   * Patch + class + position embeddings and {@code pre_layrnorm}.
   *
   * @param pixels {@code [crops, channels, S, S]}
   * @return {@code hidden_states[0]}, {@code [crops, tokens, d]}
   */
  public float[] embed(float[] pixels, int crops) {
    int c = cfg.numChannels();
    int s = cfg.imageSize();
    int ps = cfg.patchSize();
    int p = cfg.gridSize();
    int d = cfg.hiddenSize();
    int tokens = cfg.tokensPerCrop();
    int pl = c * ps * ps;
    InvalidInputException.check(pixels.length == (long) crops * c * s * s,
        "pixel values hold %s values; %s crops of [%s, %s, %s] need %s", pixels.length, crops, c, s, s,
        (long) crops * c * s * s);
    float[] patches = new float[crops * p * p * pl];
    for (int n = 0; n < crops; n++) {
      for (int gy = 0; gy < p; gy++) {
        for (int gx = 0; gx < p; gx++) {
          int row = (n * p * p + gy * p + gx) * pl;
          int at = 0;
          for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < ps; y++) {
              int src = ((n * c + ch) * s + gy * ps + y) * s + gx * ps;
              System.arraycopy(pixels, src, patches, row + at, ps);
              at += ps;
            }
          }
        }
      }
    }
    float[] emb = new float[crops * p * p * d];
    CpuOps.linear(patches, crops * p * p, patch, null, emb);
    float[] x = new float[crops * tokens * d];
    for (int n = 0; n < crops; n++) {
      int base = n * tokens * d;
      for (int i = 0; i < d; i++) {
        x[base + i] = classEmbedding[i] + positionEmbedding[i];
      }
      for (int t = 1; t < tokens; t++) {
        int dst = base + t * d;
        int src = (n * p * p + t - 1) * d;
        for (int i = 0; i < d; i++) {
          x[dst + i] = emb[src + i] + positionEmbedding[t * d + i];
        }
      }
    }
    float[] y = new float[x.length];
    CpuOps.layerNorm(x, crops * tokens, d, preLnW, preLnB, (float) cfg.layerNormEps(), y);
    return y;
  }

  /** Runs encoder layer {@code layer} on {@code x [crops, tokens, d]} in place. */
  public void layer(int layer, float[] x, int crops) {
    layer(layer, x, crops, new Scratch(cfg, crops));
  }

  /** {@link #layer(int, float[], int)} with buffers reused across the layers of one call. */
  public void layer(int layer, float[] x, int crops, Scratch scratch) {
    layers.get(layer).forward(x, crops, scratch, null);
  }

  /** Per-call buffers of {@link #layer}, sized for a number of crops; reuse them across layers. */
  public static final class Scratch {
    final int crops;
    final float[] h;
    final float[] qkv;
    final float[] q;
    final float[] k;
    final float[] v;
    final float[] f;

    public Scratch(ClipTowerConfig cfg, int crops) {
      int rows = crops * cfg.tokensPerCrop();
      int d = cfg.hiddenSize();
      this.crops = crops;
      h = new float[rows * d];
      qkv = new float[rows * 3 * d];
      q = new float[rows * d];
      k = new float[rows * d];
      v = new float[rows * d];
      f = new float[rows * Math.max(cfg.intermediateSize(), d)];
    }
  }

  /** One pre-LN encoder layer. */
  private static final class Layer {
    private final ClipTowerConfig cfg;
    private final float[] ln1W;
    private final float[] ln1B;
    private final float[] ln2W;
    private final float[] ln2B;
    private final PackedWeight qkv;   // q, k, v stacked
    private final float[] qkvB;
    private final PackedWeight o;
    private final PackedWeight fc1;
    private final PackedWeight fc2;
    private final float[] oB;
    private final float[] fc1B;
    private final float[] fc2B;

    Layer(CpuWeights w, String prefix, ClipTowerConfig cfg) {
      this.cfg = cfg;
      int d = cfg.hiddenSize();
      int i = cfg.intermediateSize();
      ln1W = w.floats(prefix + ".layer_norm1.weight", d);
      ln1B = w.floats(prefix + ".layer_norm1.bias", d);
      qkv = w.stacked(new String[] {prefix + ".self_attn.q_proj.weight", prefix + ".self_attn.k_proj.weight",
          prefix + ".self_attn.v_proj.weight"}, new int[] {d, d, d}, d);
      qkvB = new float[3 * d];
      System.arraycopy(w.floats(prefix + ".self_attn.q_proj.bias", d), 0, qkvB, 0, d);
      System.arraycopy(w.floats(prefix + ".self_attn.k_proj.bias", d), 0, qkvB, d, d);
      System.arraycopy(w.floats(prefix + ".self_attn.v_proj.bias", d), 0, qkvB, 2 * d, d);
      o = w.matrix(prefix + ".self_attn.out_proj.weight", d, d);
      oB = w.floats(prefix + ".self_attn.out_proj.bias", d);
      ln2W = w.floats(prefix + ".layer_norm2.weight", d);
      ln2B = w.floats(prefix + ".layer_norm2.bias", d);
      fc1 = w.matrix(prefix + ".mlp.fc1.weight", i, d);
      fc1B = w.floats(prefix + ".mlp.fc1.bias", i);
      fc2 = w.matrix(prefix + ".mlp.fc2.weight", d, i);
      fc2B = w.floats(prefix + ".mlp.fc2.bias", d);
    }

    void forward(float[] x, int crops, Scratch t, AttentionSink sink) {
      int d = cfg.hiddenSize();
      int tokens = cfg.tokensPerCrop();
      int rows = crops * tokens;
      int heads = cfg.numHeads();
      int hd = cfg.headDim();
      InvalidInputException.check(t.crops == crops, "scratch for %s crops used with %s", t.crops, crops);
      float[] h = t.h;
      CpuOps.layerNorm(x, rows, d, ln1W, ln1B, (float) cfg.layerNormEps(), h);
      float[] qs = t.q;
      float[] ks = t.k;
      float[] vs = t.v;
      CpuOps.linear(h, rows, qkv, qkvB, t.qkv);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(t.qkv, r * 3 * d, qs, r * d, d);
        System.arraycopy(t.qkv, r * 3 * d + d, ks, r * d, d);
        System.arraycopy(t.qkv, r * 3 * d + 2 * d, vs, r * d, d);
      }
      float scale = (float) Math.pow(hd, -0.5);
      for (int n = 0; n < crops; n++) {
        int off = n * tokens * d;
        final int crop = n;
        CpuAttention.Sink probs = sink == null ? null : (head, q0, rows2, keys, p) -> sink.accept(crop, head, q0, rows2,
            keys, p);
        CpuAttention.attend(tokens, tokens, heads, heads, hd, scale, qs, off, ks, off, vs, off, h, off, null, probs);
      }
      CpuOps.linear(h, rows, o, oB, qs);
      CpuOps.addInPlace(x, qs, rows * d);
      CpuOps.layerNorm(x, rows, d, ln2W, ln2B, (float) cfg.layerNormEps(), h);
      int inter = cfg.intermediateSize();
      float[] f = t.f;
      CpuOps.linear(h, rows, fc1, fc1B, f);
      act(cfg.act(), f, rows * inter);
      CpuOps.linear(f, rows, fc2, fc2B, qs);
      CpuOps.addInPlace(x, qs, rows * d);
    }
  }

  public static void act(Activation a, float[] x, int n) {
    switch (a) {
      case QUICK_GELU -> CpuOps.quickGelu(x, n);
      case GELU -> CpuOps.geluErf(x, n);
      case GELU_TANH -> CpuOps.geluTanh(x, n);
      case SILU -> {
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        CpuOps.siluMul(x, ones, n);
      }
      default -> throw new AssertionError(a);
    }
  }
}
