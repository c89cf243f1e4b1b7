package org.visualscratchpad.torch.cpu;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.nn.Activation;

/**
 * One pre-LayerNorm vision-transformer encoder layer as CLIP and SigLIP write it ({@code layer_norm1},
 * {@code self_attn.{q,k,v,out}_proj} with biases, {@code layer_norm2}, {@code mlp.fc1}, the activation, {@code
 * mlp.fc2}; residual after attention and after the MLP), over crops of equal length with full attention inside
 * each crop. Immutable and thread-safe; per-call buffers in a {@link Scratch}.
 */
public final class CpuEncoderLayer {
  private final int d;
  private final int inter;
  private final int heads;
  private final float eps;
  private final Activation act;
  private final float[] ln1W;
  private final float[] ln1B;
  private final float[] ln2W;
  private final float[] ln2B;
  private final PackedWeight qkv;   // q, k, v stacked
  private final float[] qkvB;
  private final PackedWeight o;
  private final float[] oB;
  private final PackedWeight fc1;
  private final float[] fc1B;
  private final PackedWeight fc2;
  private final float[] fc2B;

  /**
   * The layer under {@code prefix} (e.g. {@code vision_tower.vision_model.encoder.layers.3}).
   *
   * @param d width of the stream
   * @param inter MLP width
   * @param heads attention heads (a divisor of {@code d})
   * @param eps LayerNorm epsilon
   * @param act the MLP activation
   */
  public CpuEncoderLayer(CpuWeights w, String prefix, int d, int inter, int heads, double eps, Activation act) {
    InvalidInputException.check(heads > 0 && d % heads == 0, "hidden size (%s) must be a multiple of the heads (%s)",
        d, heads);
    this.d = d;
    this.inter = inter;
    this.heads = heads;
    this.eps = (float) eps;
    this.act = act;
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
    fc1 = w.matrix(prefix + ".mlp.fc1.weight", inter, d);
    fc1B = w.floats(prefix + ".mlp.fc1.bias", inter);
    fc2 = w.matrix(prefix + ".mlp.fc2.weight", d, inter);
    fc2B = w.floats(prefix + ".mlp.fc2.bias", d);
  }

  /** Buffers of one call for {@code rows} rows; reuse them across the layers of the call. */
  public static final class Scratch {
    final int rows;
    final float[] h;
    final float[] qkv;
    final float[] q;
    final float[] k;
    final float[] v;
    final float[] f;

    public Scratch(int rows, int d, int inter) {
      this.rows = rows;
      h = new float[rows * d];
      qkv = new float[rows * 3 * d];
      q = new float[rows * d];
      k = new float[rows * d];
      v = new float[rows * d];
      f = new float[rows * Math.max(inter, d)];
    }

    /** Rows these buffers hold. */
    public int rows() {
      return rows;
    }
  }

  /** A scratch for {@code rows} rows of this layer's widths. */
  public Scratch scratch(int rows) {
    return new Scratch(rows, d, inter);
  }

  /**
   * Runs the layer on {@code x [crops, tokens, d]} in place.
   *
   * @param sink receives each crop's attention probabilities, or null
   */
  public void forward(float[] x, int crops, int tokens, Scratch t, CpuVisionTower.AttentionSink sink) {
    int rows = crops * tokens;
    InvalidInputException.check(t.rows == rows, "scratch for %s rows used with %s", t.rows, rows);
    int hd = d / heads;
    float[] h = t.h;
    CpuOps.layerNorm(x, rows, d, ln1W, ln1B, eps, h);
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
      CpuAttention.Sink probs = sink == null ? null : (head, q0, n2, keys, p) -> sink.accept(crop, head, q0, n2,
          keys, p);
      CpuAttention.attend(tokens, tokens, heads, heads, hd, scale, qs, off, ks, off, vs, off, h, off, null, probs);
    }
    CpuOps.linear(h, rows, o, oB, qs);
    CpuOps.addInPlace(x, qs, rows * d);
    CpuOps.layerNorm(x, rows, d, ln2W, ln2B, eps, h);
    float[] f = t.f;
    CpuOps.linear(h, rows, fc1, fc1B, f);
    activate(act, f, rows * inter);
    CpuOps.linear(f, rows, fc2, fc2B, qs);
    CpuOps.addInPlace(x, qs, rows * d);
  }

  /** {@code act} in place on {@code x[0, n)} with the engine's kernels. */
  public static void activate(Activation act, float[] x, int n) {
    switch (act) {
      case QUICK_GELU -> CpuOps.quickGelu(x, n);
      case GELU -> CpuOps.geluErf(x, n);
      case GELU_TANH -> CpuOps.geluTanh(x, n);
      case SILU -> {
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        CpuOps.siluMul(x, ones, n);
      }
      default -> throw new AssertionError(act);
    }
  }
}
