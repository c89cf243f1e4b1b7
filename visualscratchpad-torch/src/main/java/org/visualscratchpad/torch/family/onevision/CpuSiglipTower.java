package org.visualscratchpad.torch.family.onevision;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.cpu.CpuEncoderLayer;
import org.visualscratchpad.torch.cpu.CpuOps;
import org.visualscratchpad.torch.cpu.CpuVisionTower;
import org.visualscratchpad.torch.cpu.CpuWeights;
import org.visualscratchpad.torch.cpu.PackedWeight;
import org.visualscratchpad.torch.cpu.VisionStream;

/**
 * SigLIP's vision transformer ({@code SiglipVisionTransformer}) on the CPU engine: patch embedding (a
 * convolution with bias) plus position embeddings, no CLS token and no norm before the encoder; pre-LN encoder
 * layers with {@code gelu_pytorch_tanh}; {@code post_layernorm} after the last (loaded for reference traces,
 * unused by LLaVA-OneVision). {@code hidden_states[0]} is {@link #embed}'s output, {@code hidden_states[l + 1]}
 * the stream after layer {@code l}; row {@code k} of a crop is patch {@code k}. Immutable and thread-safe.
 */
final class CpuSiglipTower implements CpuVisionTower {
  private final SiglipConfig cfg;
  private final PackedWeight patch;         // (d, 3 * ps * ps)
  private final float[] patchBias;          // (d)
  private final float[] positionEmbedding;  // (patches, d)
  private final List<CpuEncoderLayer> layers = new ArrayList<>();
  private final float[] postW;              // or null
  private final float[] postB;

  CpuSiglipTower(CpuWeights w, String prefix, SiglipConfig cfg, int layersToLoad) {
    this.cfg = cfg;
    int d = cfg.hiddenSize();
    int ps = cfg.patchSize();
    int c = cfg.numChannels();
    patch = w.matrix(prefix + ".embeddings.patch_embedding.weight", d, c * ps * ps, d, c, ps, ps);
    patchBias = w.floats(prefix + ".embeddings.patch_embedding.bias", d);
    positionEmbedding = w.floats(prefix + ".embeddings.position_embedding.weight", cfg.tokensPerCrop(), d);
    for (int l = 0; l < layersToLoad; l++) {
      layers.add(new CpuEncoderLayer(w, prefix + ".encoder.layers." + l, d, cfg.intermediateSize(), cfg.numHeads(),
          cfg.layerNormEps(), cfg.act()));
    }
    boolean post = layersToLoad == cfg.numLayers() && w.has(prefix + ".post_layernorm.weight");
    postW = post ? w.floats(prefix + ".post_layernorm.weight", d) : null;
    postB = post ? w.floats(prefix + ".post_layernorm.bias", d) : null;
  }

  @Override
  public int hiddenSize() {
    return cfg.hiddenSize();
  }

  @Override
  public int numLayers() {
    return cfg.numLayers();
  }

  @Override
  public int loadedLayers() {
    return layers.size();
  }

  @Override
  public boolean hasClsToken() {
    return false;
  }

  /**
   * Patch embeddings (with bias) plus position embeddings.
   *
   * @param pixels {@code [crops, 3, S, S]}
   * @return {@code hidden_states[0]}, {@code [crops, patches, d]}
   */
  float[] embed(float[] pixels, int crops) {
    int c = cfg.numChannels();
    int s = cfg.imageSize();
    int ps = cfg.patchSize();
    int p = cfg.gridSize();
    int d = cfg.hiddenSize();
    float[] patches = org.visualscratchpad.torch.cpu.Patches.unfold(pixels, crops, c, s, ps);
    float[] x = new float[crops * p * p * d];
    CpuOps.linear(patches, crops * p * p, patch, patchBias, x);
    for (int n = 0; n < crops; n++) {
      for (int t = 0; t < p * p; t++) {
        int dst = (n * p * p + t) * d;
        for (int i = 0; i < d; i++) {
          x[dst + i] += positionEmbedding[t * d + i];
        }
      }
    }
    return x;
  }

  @Override
  public void layer(int layer, VisionStream stream, AttentionSink sink) {
    int tokens = cfg.tokensPerCrop();
    InvalidInputException.check(stream.uniform() && stream.rows(0) == tokens, "a SigLIP stream has %s rows per crop",
        tokens);
    if (!(stream.scratch instanceof CpuEncoderLayer.Scratch s) || s.rows() != stream.totalRows()) {
      stream.scratch = layers.get(layer).scratch(stream.totalRows());
    }
    layers.get(layer).forward(stream.data(), stream.crops(), tokens, (CpuEncoderLayer.Scratch) stream.scratch, sink);
  }

  @Override
  public float[] postLayerNorm(VisionStream stream) {
    if (postW == null) {
      return null;
    }
    float[] y = new float[stream.data().length];
    CpuOps.layerNorm(stream.data(), stream.totalRows(), cfg.hiddenSize(), postW, postB, (float) cfg.layerNormEps(), y);
    return y;
  }
}
