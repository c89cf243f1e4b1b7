package org.visualscratchpad.torch.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.checkpoint.Weights;
import org.visualscratchpad.torch.nn.LayerNorm;

/**
 * CLIP's text transformer ({@code CLIPTextTransformer}): token + position embeddings, causal
 * pre-LN layers, {@code final_layer_norm}, EOS pooling. Internal to the torch backend.
 */
final class ClipTextTower {
  private final ClipTowerConfig cfg;
  private final NDArray tokenEmbedding;     // (vocab, d)
  private final NDArray positionEmbedding;  // (max_positions, d)
  private final List<ClipEncoderLayer> layers = new ArrayList<>();
  private final LayerNorm finalLayerNorm;

  ClipTextTower(Weights w, String prefix, ClipTowerConfig cfg) {
    this.cfg = cfg;
    long d = cfg.hiddenSize();
    tokenEmbedding = w.load(prefix + ".embeddings.token_embedding.weight", cfg.vocabSize(), d);
    positionEmbedding = w.load(prefix + ".embeddings.position_embedding.weight", cfg.maxPositions(), d);
    for (int l = 0; l < cfg.numLayers(); l++) {
      layers.add(new ClipEncoderLayer(w, prefix + ".encoder.layers." + l, cfg));
    }
    finalLayerNorm = LayerNorm.load(w, prefix + ".final_layer_norm", d, cfg.layerNormEps());
  }

  ClipTowerConfig config() {
    return cfg;
  }

  /**
   * Runs the tower.
   *
   * @param m the call's scope
   * @param ids {@code [B][L]} token ids
   * @param mask {@code [B][L]} 1 = token, 0 = padding (null = all ones)
   * @param hidden receives {@code (index, hidden_states[index])} for 0..layers (before the final norm)
   * @param probs receives {@code (layer, probs [B, heads, L, L])}
   * @return {@code [last_hidden_state [B, L, d], pooled [B, d]]}
   */
  NDArray[] forward(NDManager m, long[][] ids, long[][] mask, BiConsumer<Integer, NDArray> hidden,
      BiConsumer<Integer, NDArray> probs) {
    int b = ids.length;
    int len = ids[0].length;
    InvalidInputException.check(len <= cfg.maxPositions(),
        "text length (%s) must be at most max_position_embeddings (%s)", len, cfg.maxPositions());
    long[] flat = new long[b * len];
    for (int i = 0; i < b; i++) {
      InvalidInputException.check(ids[i].length == len, "every row of input_ids must have length %s", len);
      for (int t = 0; t < len; t++) {
        long id = ids[i][t];
        InvalidInputException.check(id >= 0 && id < cfg.vocabSize(), "token id (%s) must lie in [0, vocab_size = %s)",
            id, cfg.vocabSize());
        flat[i * len + t] = id;
      }
    }
    NDArray tok = tokenEmbedding.get(new NDIndex("{}", m.create(flat)));
    tok.attach(m);
    NDArray pos = positionEmbedding.get(new NDIndex("0:" + len));
    pos.attach(m);
    NDArray x = tok.reshape(b, len, cfg.hiddenSize()).add(pos);
    float min = -Float.MAX_VALUE;
    float[] maskData = new float[b * len * len];
    for (int i = 0; i < b; i++) {
      for (int q = 0; q < len; q++) {
        for (int k = 0; k < len; k++) {
          boolean allowed = k <= q && (mask == null || mask[i][k] != 0);
          maskData[(i * len + q) * len + k] = allowed ? 0f : min;
        }
      }
    }
    NDArray additive = m.create(maskData, new Shape(b, 1, len, len));
    if (hidden != null) {
      hidden.accept(0, x);
    }
    for (int l = 0; l < layers.size(); l++) {
      final int layer = l;
      x = layers.get(l).forward(x, additive, probs == null ? null : p -> probs.accept(layer, p));
      if (hidden != null) {
        hidden.accept(l + 1, x);
      }
    }
    NDArray last = finalLayerNorm.apply(x);
    long[] rows = new long[b];
    for (int i = 0; i < b; i++) {
      int at = 0;
      if (cfg.eosTokenId() == 2) {
        for (int t = 1; t < len; t++) {
          if (ids[i][t] > ids[i][at]) {
            at = t;
          }
        }
      } else {
        at = -1;
        for (int t = 0; t < len && at < 0; t++) {
          if (ids[i][t] == cfg.eosTokenId()) {
            at = t;
          }
        }
        at = Math.max(at, 0);
      }
      rows[i] = (long) i * len + at;
    }
    NDArray pooled = last.reshape(b * (long) len, cfg.hiddenSize()).get(new NDIndex("{}", m.create(rows)));
    return new NDArray[] {last, pooled};
  }
}
