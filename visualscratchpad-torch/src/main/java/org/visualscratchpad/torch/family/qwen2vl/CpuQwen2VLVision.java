package org.visualscratchpad.torch.family.qwen2vl;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.cpu.CpuClipTower;
import org.visualscratchpad.torch.cpu.CpuOps;
import org.visualscratchpad.torch.cpu.CpuThreads;
import org.visualscratchpad.torch.cpu.CpuVisionTower;
import org.visualscratchpad.torch.cpu.CpuWeights;
import org.visualscratchpad.torch.cpu.PackedWeight;
import org.visualscratchpad.torch.cpu.VisionStream;

/**
 * Qwen2-VL's vision transformer on the CPU engine's kernels, run block by block so that hooks are ordinary
 * code: the patch embedding (a {@code Conv3d} whose kernel equals its stride, i.e. a linear map of each
 * flattened {@code (channel, temporal, y, x)} patch row), 2D rotary embeddings (half of each head's
 * rotary frequencies turn with the patch row, half with the column), attention that is block-diagonal per
 * frame (the patches of one image never see another image's), pre-LN blocks (LayerNorm eps 1e-6) with a
 * {@code quick_gelu} MLP, no CLS token; and the {@code PatchMerger}: LayerNorm, each {@code 2 x 2} window's
 * four consecutive rows concatenated, {@code Linear -> GELU(erf) -> Linear} to the language model's width.
 *
 * <p>Streams are {@code [patches, embed_dim]} float arrays with rows in the processor's merge-window order
 * ({@link Qwen2VLImage}); {@code hidden_states[0]} is {@link #embed}'s output and {@code hidden_states[l +
 * 1]} the stream after {@link #block}{@code (l, ...)}. As the engine's {@link CpuVisionTower}, each image is
 * one crop of a {@link VisionStream} whose {@code scratch} holds the call's {@link Call} (grids, rotary
 * angles, buffers). Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var frames = CpuQwen2VLVision.Frames.of(List.of(img.grid()));
 * jshell> float[] x = vision.embed(img.patches().toArray(), frames.patches());
 * jshell> var rope = vision.rope(List.of(img.grid()));
 * jshell> for (int l = 0; l < vision.loadedBlocks(); l++) vision.block(l, x, frames, rope, scratch);
 * jshell> float[] tokens = vision.merge(x, frames.patches());   // [patches / 4, hidden_size]
 * }</pre>
 */
public final class CpuQwen2VLVision implements CpuVisionTower {
  /** Query rows per attention task. */
  private static final int BLOCK = 32;
  /** The 2D rotary embedding's base. */
  private static final double ROPE_THETA = 10000.0;

  private final Qwen2VLVisionConfig cfg;
  private final PackedWeight patch;      // (embed, 3 * 2 * 14 * 14)
  private final List<Block> blocks = new ArrayList<>();
  private final float[] lnQW;            // (embed)
  private final float[] lnQB;
  private final PackedWeight merger1;    // (4 embed, 4 embed)
  private final float[] merger1B;
  private final PackedWeight merger2;    // (hidden, 4 embed)
  private final float[] merger2B;
  private final float[] invFreq;         // (head_dim / 4)

  /**
   * Loads the tower under {@code prefix} ({@code visual}, or {@code model.visual} as later transformers save
   * it): the patch embedding, the first {@code blocksToLoad} blocks and the merger.
   */
  public CpuQwen2VLVision(CpuWeights w, String prefix, Qwen2VLVisionConfig cfg, int blocksToLoad) {
    InvalidInputException.check(blocksToLoad >= 0 && blocksToLoad <= cfg.depth(),
        "blocks to load (%s) must lie in [0, depth = %s]", blocksToLoad, cfg.depth());
    this.cfg = cfg;
    int e = cfg.embedDim();
    int ps = cfg.patchSize();
    patch = w.matrix(prefix + ".patch_embed.proj.weight", e, cfg.patchValues(), e, cfg.inChannels(),
        cfg.temporalPatchSize(), ps, ps);
    for (int l = 0; l < blocksToLoad; l++) {
      blocks.add(new Block(w, prefix + ".blocks." + l, cfg));
    }
    int md = cfg.mergerDim();
    lnQW = w.floats(prefix + ".merger.ln_q.weight", e);
    lnQB = w.floats(prefix + ".merger.ln_q.bias", e);
    merger1 = w.matrix(prefix + ".merger.mlp.0.weight", md, md);
    merger1B = w.floats(prefix + ".merger.mlp.0.bias", md);
    merger2 = w.matrix(prefix + ".merger.mlp.2.weight", cfg.outHiddenSize(), md);
    merger2B = w.floats(prefix + ".merger.mlp.2.bias", cfg.outHiddenSize());
    invFreq = inverseFrequencies(cfg.headDim() / 2);
  }

  /**
   * {@code VisionRotaryEmbedding(head_dim / 2)}'s inverse frequencies in float32: {@code 1 / 10000^(2i /
   * dim)} for {@code i < dim / 2}.
   */
  static float[] inverseFrequencies(int dim) {
    float[] inv = new float[dim / 2];
    for (int i = 0; i < inv.length; i++) {
      float exponent = (float) (2 * i) / dim;
      inv[i] = (float) (1.0 / Math.pow(ROPE_THETA, exponent));
    }
    return inv;
  }

  public Qwen2VLVisionConfig config() {
    return cfg;
  }

  /** Number of blocks loaded (a model loads only those it runs). */
  public int loadedBlocks() {
    return blocks.size();
  }

  @Override
  public int hiddenSize() {
    return cfg.embedDim();
  }

  @Override
  public int numLayers() {
    return cfg.depth();
  }

  @Override
  public int loadedLayers() {
    return blocks.size();
  }

  /** None: row {@code k} of an image's stream is its patch {@code k} in merge-window order. */
  @Override
  public boolean hasClsToken() {
    return false;
  }

  /**
   * What one call's stream needs beside its rows: the images' grids, the attention frames, the rotary
   * cosines and sines, and the per-call buffers. Lives in {@link VisionStream#scratch}; not thread-safe.
   */
  public static final class Call {
    final List<GridThw> grids;
    final Frames frames;
    final Rope rope;
    Scratch scratch;

    Call(CpuQwen2VLVision tower, List<GridThw> grids) {
      this.grids = List.copyOf(grids);
      this.frames = Frames.of(grids);
      this.rope = tower.rope(grids);
    }

    /** The grids of the call's images, in order. */
    public List<GridThw> grids() {
      return grids;
    }
  }

  /**
   * A stream of the images with these grids, starting from {@code x} ({@code [patches, embed_dim]}, the
   * images' rows in order): one crop per image.
   */
  public VisionStream stream(float[] x, List<GridThw> grids) {
    int[] rows = new int[grids.size()];
    int[] image = new int[grids.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = grids.get(i).patches();
      image[i] = i;
    }
    VisionStream s = new VisionStream(x, cfg.embedDim(), rows, image, new int[rows.length]);
    s.scratch = new Call(this, grids);
    return s;
  }

  /**
   * Runs block {@code layer} on a stream made by {@link #stream} in place.
   *
   * @param sink receives each image's attention probabilities ({@code crop} = image, keys = its patches), or null
   */
  @Override
  public void layer(int layer, VisionStream stream, AttentionSink sink) {
    InvalidInputException.check(stream.scratch instanceof Call,
        "a Qwen2-VL stream carries its images' grids: make it with CpuQwen2VLVision.stream");
    Call call = (Call) stream.scratch;
    InvalidInputException.check(call.frames.patches == stream.totalRows(),
        "the stream has %s rows but its grids give %s patches", stream.totalRows(), call.frames.patches);
    if (call.scratch == null) {
      call.scratch = new Scratch(cfg, stream.totalRows());
    }
    InvalidInputException.check(layer >= 0 && layer < blocks.size(), "vision block (%s) must lie in [0, %s)", layer,
        blocks.size());
    blocks.get(layer).forward(stream.data(), call.frames, call.rope, call.scratch, sink);
  }

  /** How the tower's matrices are held. */
  public PackedWeight.Storage storage() {
    return patch.storage();
  }

  /**
   * The frames of one call: the diagonal blocks of the vision attention (HF's {@code cu_seqlens}), one per
   * temporal patch of each image, in row order. Immutable.
   */
  public static final class Frames {
    private final int[] start;
    private final int[] length;
    private final int[] image;
    private final int patches;

    private Frames(int[] start, int[] length, int[] image, int patches) {
      this.start = start;
      this.length = length;
      this.image = image;
      this.patches = patches;
    }

    /** The frames of images with these grids, in order. */
    public static Frames of(List<GridThw> grids) {
      InvalidInputException.check(grids != null && !grids.isEmpty(), "at least one image grid is needed");
      int count = 0;
      for (GridThw g : grids) {
        count += g.t();
      }
      int[] start = new int[count];
      int[] length = new int[count];
      int[] image = new int[count];
      int at = 0;
      int f = 0;
      for (int i = 0; i < grids.size(); i++) {
        GridThw g = grids.get(i);
        for (int t = 0; t < g.t(); t++) {
          start[f] = at;
          length[f] = Math.multiplyExact(g.h(), g.w());
          image[f] = i;
          at = Math.addExact(at, length[f]);
          f++;
        }
      }
      return new Frames(start, length, image, at);
    }

    /** Patch rows in all. */
    public int patches() {
      return patches;
    }

    @Override
    public String toString() {
      return "Frames[" + start.length + " frames, " + patches + " patches]";
    }
  }

  /** The cosines and sines of the 2D rotary angles of one call, {@code [patches, head_dim / 2]} each. */
  public static final class Rope {
    final float[] cos;
    final float[] sin;

    private Rope(float[] cos, float[] sin) {
      this.cos = cos;
      this.sin = sin;
    }
  }

  /**
   * The 2D rotary angles of every patch row, HF's {@code rotary_pos_emb}: {@code [patches, head_dim / 2]},
   * row {@code r} = {@code concat(y * invFreq, x * invFreq)} for the patch's grid row {@code y} and column
   * {@code x}, rows in merge-window order, repeated for each temporal patch.
   */
  public float[] rotaryAngles(List<GridThw> grids) {
    int half = cfg.headDim() / 2;
    int quarter = half / 2;
    int m = cfg.spatialMergeSize();
    int n = Frames.of(grids).patches();
    float[] out = new float[Math.multiplyExact(n, half)];
    int row = 0;
    for (GridThw g : grids) {
      InvalidInputException.check(g.h() % m == 0 && g.w() % m == 0,
          "image_grid_thw %s must have h and w divisible by spatial_merge_size (%s)", g, m);
      for (int t = 0; t < g.t(); t++) {
        for (int bh = 0; bh < g.h() / m; bh++) {
          for (int bw = 0; bw < g.w() / m; bw++) {
            for (int mh = 0; mh < m; mh++) {
              for (int mw = 0; mw < m; mw++) {
                float y = bh * m + mh;
                float x = bw * m + mw;
                int base = row * half;
                for (int f = 0; f < quarter; f++) {
                  out[base + f] = y * invFreq[f];
                  out[base + quarter + f] = x * invFreq[f];
                }
                row++;
              }
            }
          }
        }
      }
    }
    return out;
  }

  /** The rotary cosines and sines of {@link #rotaryAngles}. */
  public Rope rope(List<GridThw> grids) {
    float[] angles = rotaryAngles(grids);
    float[] cos = new float[angles.length];
    float[] sin = new float[angles.length];
    for (int i = 0; i < angles.length; i++) {
      cos[i] = (float) Math.cos(angles[i]);
      sin[i] = (float) Math.sin(angles[i]);
    }
    return new Rope(cos, sin);
  }

  /**
   * The patch embedding.
   *
   * @param patches {@code [n, 3 * temporal * patch^2]} flattened patch rows
   * @return {@code hidden_states[0]}, {@code [n, embed_dim]}
   */
  public float[] embed(float[] patches, int n) {
    InvalidInputException.check(patches.length == (long) n * cfg.patchValues(),
        "pixel values hold %s values; %s patch rows of %s need %s", patches.length, n, cfg.patchValues(),
        (long) n * cfg.patchValues());
    float[] x = new float[Math.multiplyExact(n, cfg.embedDim())];
    CpuOps.linear(patches, n, patch, null, x);
    return x;
  }

  /** Runs block {@code layer} on {@code x [patches, embed_dim]} in place. */
  public void block(int layer, float[] x, Frames frames, Rope rope, Scratch scratch) {
    InvalidInputException.check(layer >= 0 && layer < blocks.size(), "vision block (%s) must lie in [0, %s)", layer,
        blocks.size());
    InvalidInputException.check(scratch.rows == frames.patches && rope.cos.length == frames.patches
        * (cfg.headDim() / 2), "scratch, rope and frames must be made for the same %s patches", frames.patches);
    blocks.get(layer).forward(x, frames, rope, scratch, null);
  }

  /**
   * The {@code PatchMerger}: {@code ln_q}, each run of {@code merge^2} consecutive rows concatenated, then
   * {@code Linear -> GELU(erf) -> Linear}.
   *
   * @param x the last block's output {@code [n, embed_dim]} (left unchanged)
   * @return {@code [n / merge^2, hidden_size]}: the image embeddings, one row per language-model token
   */
  public float[] merge(float[] x, int n) {
    int e = cfg.embedDim();
    int unit = cfg.mergeUnit();
    InvalidInputException.check(n % unit == 0 && x.length == (long) n * e,
        "the merger takes a multiple of %s rows of %s; got %s values for %s rows", unit, e, x.length, n);
    float[] normed = new float[x.length];
    CpuOps.layerNorm(x, n, e, lnQW, lnQB, (float) Qwen2VLVisionConfig.LAYER_NORM_EPS, normed);
    int tokens = n / unit;
    int md = cfg.mergerDim();
    float[] hidden = new float[Math.multiplyExact(tokens, md)];
    CpuOps.linear(normed, tokens, merger1, merger1B, hidden);
    CpuOps.geluErf(hidden, hidden.length);
    float[] out = new float[Math.multiplyExact(tokens, cfg.outHiddenSize())];
    CpuOps.linear(hidden, tokens, merger2, merger2B, out);
    return out;
  }

  /** Per-call buffers of {@link #block}, sized for a number of patch rows; reuse them across blocks. */
  public static final class Scratch {
    final int rows;
    final float[] h;
    final float[] qkv;
    final float[] q;
    final float[] k;
    final float[] v;
    final float[] f;

    public Scratch(Qwen2VLVisionConfig cfg, int rows) {
      int e = cfg.embedDim();
      this.rows = rows;
      h = new float[Math.multiplyExact(rows, e)];
      qkv = new float[Math.multiplyExact(rows, 3 * e)];
      q = new float[h.length];
      k = new float[h.length];
      v = new float[h.length];
      f = new float[Math.multiplyExact(rows, Math.max(cfg.mlpDim(), e))];
    }
  }

  /** Per-thread attention scores, grown to the largest block seen. */
  private static final ThreadLocal<float[][]> SCORES = ThreadLocal.withInitial(() -> new float[1][0]);

  /** One pre-LN vision block. */
  private static final class Block {
    private final Qwen2VLVisionConfig cfg;
    private final float[] norm1W;
    private final float[] norm1B;
    private final PackedWeight qkv;    // (3 embed, embed): q, k, v stacked
    private final float[] qkvB;
    private final PackedWeight proj;   // (embed, embed)
    private final float[] projB;
    private final float[] norm2W;
    private final float[] norm2B;
    private final PackedWeight fc1;    // (mlp, embed)
    private final float[] fc1B;
    private final PackedWeight fc2;    // (embed, mlp)
    private final float[] fc2B;

    Block(CpuWeights w, String prefix, Qwen2VLVisionConfig cfg) {
      this.cfg = cfg;
      int e = cfg.embedDim();
      int mlp = cfg.mlpDim();
      norm1W = w.floats(prefix + ".norm1.weight", e);
      norm1B = w.floats(prefix + ".norm1.bias", e);
      qkv = w.matrix(prefix + ".attn.qkv.weight", 3 * e, e);
      qkvB = w.floats(prefix + ".attn.qkv.bias", 3 * e);
      proj = w.matrix(prefix + ".attn.proj.weight", e, e);
      projB = w.floats(prefix + ".attn.proj.bias", e);
      norm2W = w.floats(prefix + ".norm2.weight", e);
      norm2B = w.floats(prefix + ".norm2.bias", e);
      fc1 = w.matrix(prefix + ".mlp.fc1.weight", mlp, e);
      fc1B = w.floats(prefix + ".mlp.fc1.bias", mlp);
      fc2 = w.matrix(prefix + ".mlp.fc2.weight", e, mlp);
      fc2B = w.floats(prefix + ".mlp.fc2.bias", e);
    }

    void forward(float[] x, Frames frames, Rope rope, Scratch t, AttentionSink sink) {
      int e = cfg.embedDim();
      int rows = frames.patches;
      float eps = (float) Qwen2VLVisionConfig.LAYER_NORM_EPS;
      CpuOps.layerNorm(x, rows, e, norm1W, norm1B, eps, t.h);
      CpuOps.linear(t.h, rows, qkv, qkvB, t.qkv);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(t.qkv, r * 3 * e, t.q, r * e, e);
        System.arraycopy(t.qkv, r * 3 * e + e, t.k, r * e, e);
        System.arraycopy(t.qkv, r * 3 * e + 2 * e, t.v, r * e, e);
      }
      rotate(t.q, rows, cfg.numHeads(), cfg.headDim(), rope);
      rotate(t.k, rows, cfg.numHeads(), cfg.headDim(), rope);
      attend(t.q, t.k, t.v, t.h, frames, cfg.numHeads(), cfg.headDim(), sink);
      CpuOps.linear(t.h, rows, proj, projB, t.q);
      CpuOps.addInPlace(x, t.q, rows * e);
      CpuOps.layerNorm(x, rows, e, norm2W, norm2B, eps, t.h);
      CpuOps.linear(t.h, rows, fc1, fc1B, t.f);
      CpuClipTower.act(cfg.act(), t.f, rows * cfg.mlpDim());
      CpuOps.linear(t.f, rows, fc2, fc2B, t.q);
      CpuOps.addInPlace(x, t.q, rows * e);
    }

    /** Rotate-half rotary embedding in place on {@code [rows, heads * hd]}, one angle row per patch. */
    private static void rotate(float[] x, int rows, int heads, int hd, Rope rope) {
      int half = hd / 2;
      for (int r = 0; r < rows; r++) {
        int cb = r * half;
        for (int h = 0; h < heads; h++) {
          int base = (r * heads + h) * hd;
          for (int f = 0; f < half; f++) {
            float x1 = x[base + f];
            float x2 = x[base + f + half];
            float c = rope.cos[cb + f];
            float s = rope.sin[cb + f];
            x[base + f] = x1 * c - x2 * s;
            x[base + f + half] = x2 * c + x1 * s;
          }
        }
      }
    }

    /**
     * Eager attention within each frame: {@code softmax(q k^T / sqrt(hd)) v} over the frame's rows only (HF
     * masks the other frames with the float minimum, whose weights are exactly 0). Tasks are (frame, block of
     * 32 query rows); memory is {@code 32 x frame length} per thread.
     */
    private static void attend(float[] q, float[] k, float[] v, float[] out, Frames frames, int heads, int hd,
        AttentionSink sink) {
      int e = heads * hd;
      float scale = (float) (1.0 / Math.sqrt(hd));
      List<int[]> tasks = new ArrayList<>();
      for (int f = 0; f < frames.start.length; f++) {
        for (int q0 = 0; q0 < frames.length[f]; q0 += BLOCK) {
          tasks.add(new int[] {f, q0});
        }
      }
      CpuThreads.parallelFor(tasks.size(), task -> {
        int f = tasks.get(task)[0];
        int q0 = tasks.get(task)[1];
        int s0 = frames.start[f];
        int len = frames.length[f];
        int n = Math.min(BLOCK, len - q0);
        float[][] holder = SCORES.get();
        if (holder[0].length < n * len) {
          holder[0] = new float[BLOCK * len];
        }
        float[] scores = holder[0];
        for (int h = 0; h < heads; h++) {
          int col = h * hd;
          CpuOps.gemmABt(n, len, hd, scale, q, (s0 + q0) * e + col, e, k, s0 * e + col, e, scores, 0, len);
          for (int r = 0; r < n; r++) {
            CpuOps.softmax(scores, r * len, len);
          }
          if (sink != null) {
            sink.accept(frames.image[f], h, q0, n, len, scores);
          }
          CpuOps.gemmAB(n, hd, len, scores, 0, len, v, s0 * e + col, e, out, (s0 + q0) * e + col, e);
        }
      });
    }
  }
}
