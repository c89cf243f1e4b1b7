package org.visualscratchpad.torch.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.nn.Nd;
import org.visualscratchpad.torch.checkpoint.Weights;
import org.visualscratchpad.torch.nn.LayerNorm;

/**
 * CLIP's vision transformer ({@code CLIPVisionTransformer}), run layer by layer so that hooks are
 * ordinary code. {@code hidden_states[0]} is {@link #embed}'s output (after {@code pre_layrnorm});
 * {@code hidden_states[l + 1]} is the output of {@link #layer}{@code (l, ...)}.
 *
 * <p>Weights live in the owning model's manager; every method works in the manager of its input.
 * Internal to the torch backend (DJL types in signatures); thread-safe for concurrent calls.
 */
public final class ClipVisionTower {
  private final ClipTowerConfig cfg;
  private final NDArray classEmbedding;     // (d)
  private final NDArray patchWeightT;       // (3 * ps * ps, d)
  private final NDArray positionEmbedding;  // (tokens, d)
  private final LayerNorm preLayerNorm;
  private final List<ClipEncoderLayer> layers = new ArrayList<>();
  private final LayerNorm postLayerNorm;    // null when not loaded

  private ClipVisionTower(Weights w, String prefix, ClipTowerConfig cfg, boolean withPostLayerNorm, int layersToLoad) {
    this.cfg = cfg;
    long d = cfg.hiddenSize();
    long ps = cfg.patchSize();
    classEmbedding = w.load(prefix + ".embeddings.class_embedding", d);
    patchWeightT = w.load(prefix + ".embeddings.patch_embedding.weight", d, cfg.numChannels(), ps, ps)
        .reshape(d, cfg.numChannels() * ps * ps).transpose();
    positionEmbedding = w.load(prefix + ".embeddings.position_embedding.weight", cfg.tokensPerCrop(), d);
    preLayerNorm = LayerNorm.load(w, prefix + ".pre_layrnorm", d, cfg.layerNormEps());
    for (int l = 0; l < layersToLoad; l++) {
      layers.add(new ClipEncoderLayer(w, prefix + ".encoder.layers." + l, cfg));
    }
    postLayerNorm = withPostLayerNorm ? LayerNorm.load(w, prefix + ".post_layernorm", d, cfg.layerNormEps()) : null;
  }

  /** Loads the tower under {@code prefix} ({@code vision_model} or {@code vision_tower.vision_model}). */
  public static ClipVisionTower load(Weights w, String prefix, ClipTowerConfig cfg, boolean withPostLayerNorm) {
    return new ClipVisionTower(w, prefix, cfg, withPostLayerNorm, cfg.numLayers());
  }

  /**
   * Loads the embeddings and only the first {@code layersToLoad} encoder layers (no {@code
   * post_layernorm}): enough for {@link #hiddenStates} up to index {@code layersToLoad}.
   */
  public static ClipVisionTower loadFirstLayers(Weights w, String prefix, ClipTowerConfig cfg, int layersToLoad) {
    InvalidInputException.check(layersToLoad >= 0 && layersToLoad <= cfg.numLayers(),
        "layers to load (%s) must lie in [0, %s]", layersToLoad, cfg.numLayers());
    return new ClipVisionTower(w, prefix, cfg, false, layersToLoad);
  }

  /** Number of encoder layers loaded. */
  public int loadedLayers() {
    return layers.size();
  }

  public ClipTowerConfig config() {
    return cfg;
  }

  /**
   * Patch + class + position embeddings and {@code pre_layrnorm}.
   *
   * @param pixels {@code [N, channels, imageSize, imageSize]}
   * @return {@code hidden_states[0]}, {@code [N, tokens, d]}
   */
  public NDArray embed(NDArray pixels) {
    long n = pixels.getShape().get(0);
    long c = cfg.numChannels();
    long s = cfg.imageSize();
    long ps = cfg.patchSize();
    long p = cfg.gridSize();
    InvalidInputException.check(pixels.getShape().dimension() == 4 && pixels.getShape().get(1) == c
            && pixels.getShape().get(2) == s && pixels.getShape().get(3) == s,
        "pixel values shape (%s) must be [crops, %s, %s, %s]", pixels.getShape(), c, s, s);
    NDManager m = pixels.getManager();
    NDArray patches = pixels.reshape(n, c, p, ps, p, ps).transpose(0, 2, 4, 1, 3, 5)
        .reshape(n, p * p, c * ps * ps).matMul(patchWeightT);                   // (n, p*p, d)
    NDArray cls = m.zeros(new ai.djl.ndarray.types.Shape(n, 1, cfg.hiddenSize())).add(classEmbedding);
    NDArray x = NDArrays.concat(new NDList(cls, patches), 1).add(positionEmbedding);
    return preLayerNorm.apply(x);
  }

  /** Runs encoder layer {@code layer} on {@code x [N, tokens, d]}; {@code probsSink} may be null. */
  public NDArray layer(int layer, NDArray x, Consumer<NDArray> probsSink) {
    return layers.get(layer).forward(x, null, probsSink);
  }

  /** {@code post_layernorm(last[:, 0])}, {@code [N, d]}. */
  /**
   * Checks that {@code hook} is a vision hook inside this tower and returns its {@code
   * hidden_states} index ({@code hook_resid_pre} of layer {@code numLayers} is the last state).
   *
   * @throws InvalidInputException naming the hook and the tower's layers
   */
  public int checkHook(HookPoint hook) {
    return HookPoint.checkedVisionIndex(hook, cfg.numLayers(), "");
  }

  /**
   * {@code hidden_states[index]} of each crop as plain matrices {@code [tokens x d]} (row 0 = CLS),
   * running only the layers before {@code index}.
   *
   * @param pixels {@code [crops, 3, imageSize, imageSize]}
   */
  public List<FloatMatrix> hiddenStates(NDArray pixels, int index) {
    NDArray x = embed(pixels);
    for (int l = 0; l < index; l++) {
      x = layer(l, x, null);
    }
    List<FloatMatrix> out = new ArrayList<>();
    for (int c = 0; c < pixels.getShape().get(0); c++) {
      out.add(Nd.matrix(x.get(c)));
    }
    return out;
  }

  public NDArray pool(NDArray last) {
    if (postLayerNorm == null) {
      throw new IllegalStateException("post_layernorm was not loaded");
    }
    return postLayerNorm.apply(last.get(":, 0, :"));
  }
}
