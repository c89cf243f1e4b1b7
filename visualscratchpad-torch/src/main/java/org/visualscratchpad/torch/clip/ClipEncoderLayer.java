package org.visualscratchpad.torch.clip;

import ai.djl.ndarray.NDArray;
import java.util.function.Consumer;
import org.visualscratchpad.torch.checkpoint.Weights;
import org.visualscratchpad.torch.nn.LayerNorm;
import org.visualscratchpad.torch.nn.Linear;

/** One pre-LN CLIP encoder layer ({@code CLIPEncoderLayer}); weights owned by the model. */
final class ClipEncoderLayer {
  private final ClipTowerConfig cfg;
  private final LayerNorm ln1;
  private final LayerNorm ln2;
  private final Linear q;
  private final Linear k;
  private final Linear v;
  private final Linear o;
  private final Linear fc1;
  private final Linear fc2;

  ClipEncoderLayer(Weights w, String prefix, ClipTowerConfig cfg) {
    this.cfg = cfg;
    long d = cfg.hiddenSize();
    long i = cfg.intermediateSize();
    ln1 = LayerNorm.load(w, prefix + ".layer_norm1", d, cfg.layerNormEps());
    q = Linear.load(w, prefix + ".self_attn.q_proj", d, d, true);   // (d, d)
    k = Linear.load(w, prefix + ".self_attn.k_proj", d, d, true);
    v = Linear.load(w, prefix + ".self_attn.v_proj", d, d, true);
    o = Linear.load(w, prefix + ".self_attn.out_proj", d, d, true);
    ln2 = LayerNorm.load(w, prefix + ".layer_norm2", d, cfg.layerNormEps());
    fc1 = Linear.load(w, prefix + ".mlp.fc1", i, d, true);          // (intermediate, d)
    fc2 = Linear.load(w, prefix + ".mlp.fc2", d, i, true);          // (d, intermediate)
  }

  /**
   * @param x {@code [B, T, d]}
   * @param mask additive {@code [B, 1, T, T]} or null
   * @param probsSink receives the attention probabilities {@code [B, heads, T, T]}, or null
   * @return {@code [B, T, d]}
   */
  NDArray forward(NDArray x, NDArray mask, Consumer<NDArray> probsSink) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    int heads = cfg.numHeads();
    int hd = cfg.headDim();
    NDArray h = ln1.apply(x);
    NDArray qs = q.apply(h).mul((float) Math.pow(hd, -0.5)).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
    NDArray ks = k.apply(h).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
    NDArray vs = v.apply(h).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
    NDArray scores = qs.matMul(ks.transpose(0, 1, 3, 2));
    if (mask != null) {
      scores = scores.add(mask);
    }
    NDArray probs = scores.softmax(-1);
    if (probsSink != null) {
      probsSink.accept(probs);
    }
    NDArray attn = probs.matMul(vs).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * hd);
    NDArray x1 = x.add(o.apply(attn));
    NDArray m = fc2.apply(cfg.act().apply(fc1.apply(ln2.apply(x1))));
    return x1.add(m);
  }
}
