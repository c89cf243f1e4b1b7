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
  private final List<CpuEncoderLayer> layers = new ArrayList<>();

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
      layers.add(new CpuEncoderLayer(w, prefix + ".encoder.layers." + l, cfg.hiddenSize(), cfg.intermediateSize(),
          cfg.numHeads(), cfg.layerNormEps(), cfg.act()));
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
    Scratch sc = (Scratch) stream.scratch;
    layers.get(layer).forward(stream.data(), stream.crops(), cfg.tokensPerCrop(), sc.layer, sink);
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
    float[] patches = Patches.unfold(pixels, crops, c, s, ps);
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
    InvalidInputException.check(scratch.crops == crops, "scratch for %s crops used with %s", scratch.crops, crops);
    layers.get(layer).forward(x, crops, cfg.tokensPerCrop(), scratch.layer, null);
  }

  /** Per-call buffers of {@link #layer}, sized for a number of crops; reuse them across layers. */
  public static final class Scratch {
    final int crops;
    final CpuEncoderLayer.Scratch layer;

    public Scratch(ClipTowerConfig cfg, int crops) {
      this.crops = crops;
      this.layer = new CpuEncoderLayer.Scratch(crops * cfg.tokensPerCrop(), cfg.hiddenSize(), cfg.intermediateSize());
    }
  }

  public static void act(Activation a, float[] x, int n) {
    CpuEncoderLayer.activate(a, x, n);
  }
}
