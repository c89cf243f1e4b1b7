package org.visualscratchpad.torch.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.checkpoint.Weights;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.preprocess.PixelValues;
import org.visualscratchpad.torch.lifetime.Lifetime;
import org.visualscratchpad.torch.nn.Nd;
import org.visualscratchpad.torch.trace.DenseTensor;
import org.visualscratchpad.torch.trace.Trace;
import org.visualscratchpad.vision.VisionEncoder;

/**
 * A CLIP checkpoint in Hugging Face layout: {@code CLIPModel} (text + vision + projections, {@code
 * model_type "clip"}) or {@code CLIPVisionModel} ({@code model_type "clip_vision_model"}, keys
 * {@code vision_model.*}). Computes in float32 on the CPU.
 *
 * <pre>{@code
 * jshell> try (var clip = ClipModel.load(Path.of("clip-vit-large-patch14"))) {
 *    ...>   Trace t = clip.encodeImages(pixels, false);          // pixels: DenseTensor [N, 3, 224, 224]
 *    ...>   System.out.println(t.get("image_embeds"));           // [N, projection_dim]
 *    ...> }
 * }</pre>
 *
 * <p>Thread-safe for concurrent calls; each call works in its own native scope. {@link #close()}
 * waits for the calls in flight, then frees the weights; it never throws.
 */
public final class ClipModel implements VisionEncoder, AutoCloseable {
  private final Path folder;
  private final NDManager weightsManager;
  private final ClipVisionTower vision;
  private final ClipTextTower text;          // null for CLIPVisionModel
  private final NDArray visualProjectionT;  // (d_vision, proj) or null
  private final NDArray textProjectionT;    // (d_text, proj) or null
  private final float logitScale;
  private volatile Function<BufferedImage, DenseTensor> preprocessor;   // the folder's own, read on first use
  private final Lifetime lifetime;

  private ClipModel(Path folder, NDManager manager, ClipVisionTower vision, ClipTextTower text,
      NDArray visualProjectionT, NDArray textProjectionT, float logitScale) {
    this.folder = folder;
    this.weightsManager = manager;
    this.vision = vision;
    this.text = text;
    this.visualProjectionT = visualProjectionT;
    this.textProjectionT = textProjectionT;
    this.logitScale = logitScale;
    this.lifetime = Lifetime.of(this, "ClipModel " + folder, manager);
  }

  /**
   * Loads {@code folder/config.json} and its safetensors weights.
   *
   * @throws CheckpointFormatException if config.json or a tensor is missing, a shape disagrees, or
   *     the model type is not CLIP
   */
  public static ClipModel load(Path folder) {
    return load(folder, "cpu");
  }

  /** Loads {@code folder} onto {@code device} ({@code "cpu"}, {@code "gpu"}, {@code "gpu:1"}). */
  public static ClipModel load(Path folder, String device) {
    ConfigJson cfg = ConfigJson.read(folder);
    String type = cfg.getString("model_type", "");
    NDManager manager = NDManager.newBaseManager(org.visualscratchpad.torch.llava.Devices.parse(device));
    try (Weights w = Weights.open(folder, manager)) {
      switch (type) {
        case "clip": {
          ClipTowerConfig vc = ClipTowerConfig.vision(cfg.child("vision_config"));
          ClipTowerConfig tc = ClipTowerConfig.text(cfg.child("text_config"));
          int proj = cfg.getInt("projection_dim", 512);
          ClipVisionTower v = ClipVisionTower.load(w, "vision_model", vc, true);
          ClipTextTower t = new ClipTextTower(w, "text_model", tc);
          NDArray vp = w.load("visual_projection.weight", proj, vc.hiddenSize()).transpose();
          NDArray tp = w.load("text_projection.weight", proj, tc.hiddenSize()).transpose();
          float scale = w.load("logit_scale").toFloatArray()[0];
          return new ClipModel(folder, manager, v, t, vp, tp, scale);
        }
        case "clip_vision_model": {
          ClipTowerConfig vc = ClipTowerConfig.vision(cfg);
          ClipVisionTower v = ClipVisionTower.load(w, "vision_model", vc, true);
          return new ClipModel(folder, manager, v, null, null, null, Float.NaN);
        }
        default:
          throw cfg.bad("model_type", type, "clip or clip_vision_model for ClipModel; use LlavaModel for llava and "
              + "llava_next");
      }
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** The vision tower's configuration. */
  public ClipTowerConfig visionConfig() {
    return vision.config();
  }

  /**
   * The text tower's context length ({@code max_position_embeddings}, 77 for OpenAI CLIP).
   *
   * @throws InvalidInputException if this is a {@code CLIPVisionModel}
   */
  public int textContextLength() {
    InvalidInputException.check(text != null, "%s is a CLIPVisionModel without a text tower; load a CLIPModel", folder);
    return text.config().maxPositions();
  }

  /** Whether the checkpoint has the text tower and projections ({@code CLIPModel}). */
  public boolean hasTextTower() {
    return text != null;
  }

  /**
   * Runs the vision tower on preprocessed pixels and records {@code hidden_states.i} (0..layers),
   * {@code last_hidden_state}, {@code pooler_output}, with {@code attentions.i} if asked, and for
   * {@code CLIPModel} also {@code image_embeds_unnormalized} and {@code image_embeds}.
   *
   * @param pixels {@code [N, 3, imageSize, imageSize]}
   */
  public Trace encodeImages(DenseTensor pixels, boolean withAttentions) {
    try (Lifetime.Call call = lifetime.enter()) {
      Trace out = new Trace();
      try (NDManager m = weightsManager.newSubManager()) {
        NDArray x = vision.embed(Nd.create(m, pixels));
        out.put("hidden_states.0", Nd.dense(x));
        for (int l = 0; l < vision.config().numLayers(); l++) {
          final int layer = l;
          x = vision.layer(l, x, withAttentions ? p -> out.put("attentions." + layer, Nd.dense(p)) : null);
          out.put("hidden_states." + (l + 1), Nd.dense(x));
        }
        out.put("last_hidden_state", Nd.dense(x));
        NDArray pooled = vision.pool(x);
        out.put("pooler_output", Nd.dense(pooled));
        if (visualProjectionT != null) {
          NDArray emb = pooled.matMul(visualProjectionT);
          out.put("image_embeds_unnormalized", Nd.dense(emb));
          out.put("image_embeds", Nd.dense(normalize(emb)));
        }
      }
      return out;
    }
  }

  /**
   * Runs the vision tower of a {@code CLIPModel} with an SAE tap at its hook point: the stream there
   * is recorded and, unless the plan is the identity, replaced by the SAE's edit before the tower
   * continues to the pooled, projected and normalised image embeddings. With the identity plan the
   * embeddings equal {@link #encodeImages(DenseTensor, boolean)}'s {@code image_embeds} bit for bit.
   *
   * @param pixels {@code [N, 3, imageSize, imageSize]}; each image is its own crop 0
   * @throws InvalidInputException if this is a {@code CLIPVisionModel}, or the SAE does not fit the tower
   */
  public TappedImages encodeImages(DenseTensor pixels, org.visualscratchpad.torch.llava.SaeTap tap) {
    try (Lifetime.Call call = lifetime.enter()) {
      InvalidInputException.check(visualProjectionT != null,
          "%s is a CLIPVisionModel without visual_projection; load a CLIPModel to embed images", folder);
      int index = tap.checkAgainst(vision.config().numLayers(), vision.config().hiddenSize());
      List<FloatMatrix> hooked = new ArrayList<>();
      List<FloatMatrix> edited = new ArrayList<>();
      try (NDManager m = weightsManager.newSubManager()) {
        NDArray x = vision.embed(Nd.create(m, pixels));
        for (int l = 0; l < vision.config().numLayers(); l++) {
          if (l == index) {
            x = tap.apply(x, c -> 0, hooked, edited);
          }
          x = vision.layer(l, x, null);
        }
        if (index == vision.config().numLayers()) {
          x = tap.apply(x, c -> 0, hooked, edited);
        }
        NDArray emb = normalize(vision.pool(x).matMul(visualProjectionT));
        return new TappedImages(hooked, edited, Nd.matrix(emb));
      }
    }
  }

  /**
   * Runs the text tower and records {@code hidden_states.i}, {@code last_hidden_state}, {@code
   * pooler_output}, {@code text_embeds_unnormalized}, {@code text_embeds} (and {@code attentions.i}).
   *
   * @param ids {@code [B][L]}
   * @param mask {@code [B][L]}, 1 = token, 0 = padding; null = all ones
   * @throws InvalidInputException if this is a {@code CLIPVisionModel} or an id is out of range
   */
  public Trace encodeTexts(long[][] ids, long[][] mask, boolean withAttentions) {
    try (Lifetime.Call call = lifetime.enter()) {
      InvalidInputException.check(text != null, "%s is a CLIPVisionModel without a text tower; load a CLIPModel", folder);
      Trace out = new Trace();
      try (NDManager m = weightsManager.newSubManager()) {
        NDArray[] r = text.forward(m, ids, mask, (i, h) -> out.put("hidden_states." + i, Nd.dense(h)),
            withAttentions ? (l, p) -> out.put("attentions." + l, Nd.dense(p)) : null);
        out.put("last_hidden_state", Nd.dense(r[0]));
        out.put("pooler_output", Nd.dense(r[1]));
        NDArray emb = r[1].matMul(textProjectionT);
        out.put("text_embeds_unnormalized", Nd.dense(emb));
        out.put("text_embeds", Nd.dense(normalize(emb)));
      }
      return out;
    }
  }

  /**
   * {@code logits_per_image = exp(logit_scale) * image_embeds @ text_embeds^T}, {@code [images x
   * texts]}, from the normalised embeddings of {@link #encodeImages} and {@link #encodeTexts}.
   */
  public FloatMatrix logitsPerImage(DenseTensor imageEmbeds, DenseTensor textEmbeds) {
    InvalidInputException.check(text != null, "%s has no logit_scale (CLIPVisionModel)", folder);
    FloatMatrix a = imageEmbeds.asMatrix();
    FloatMatrix b = textEmbeds.asMatrix();
    InvalidInputException.check(a.cols() == b.cols(), "embedding widths (%s, %s) must match", a.cols(), b.cols());
    float scale = (float) Math.exp(logitScale);
    float[] out = new float[a.rows() * b.rows()];
    for (int i = 0; i < a.rows(); i++) {
      for (int j = 0; j < b.rows(); j++) {
        float dot = 0;
        for (int c = 0; c < a.cols(); c++) {
          dot += a.get(i, c) * b.get(j, c);
        }
        out[i * b.rows() + j] = scale * dot;
      }
    }
    return FloatMatrix.adopt(a.rows(), b.rows(), out);
  }

  private static NDArray normalize(NDArray x) {
    return x.div(x.square().sum(new int[] {-1}, true).sqrt());
  }

  @Override
  public int numLayers() {
    return vision.config().numLayers();
  }

  @Override
  public int hiddenSize() {
    return vision.config().hiddenSize();
  }

  @Override
  public int imageSize() {
    return vision.config().imageSize();
  }

  @Override
  public int patchSize() {
    return vision.config().patchSize();
  }

  /**
   * The residual stream at {@code hook} of {@code image}, preprocessed as the checkpoint says ({@code
   * preprocessor_config.json} of its folder, read once, on first use). Nothing is installed or mutated:
   * concurrent callers share the immutable processor.
   *
   * @throws org.visualscratchpad.CheckpointFormatException if the folder has no readable {@code
   *     preprocessor_config.json} (then preprocess yourself and call {@link #residualStream(DenseTensor,
   *     HookPoint)})
   */
  @Override
  public List<FloatMatrix> residualStream(BufferedImage image, HookPoint hook) {
    lifetime.checkOpen();
    InvalidInputException.check(image != null, "image must not be null");
    return residualStream(preprocessor().apply(image), hook);
  }

  /** The folder's own image preprocessing (the first crop); idempotent, so a race only reads the file twice. */
  private Function<BufferedImage, DenseTensor> preprocessor() {
    Function<BufferedImage, DenseTensor> p = preprocessor;
    if (p == null) {
      ImagePreprocessor processor = ImagePreprocessor.forCheckpoint(folder);
      p = image -> {
        PixelValues px = processor.preprocess(ImageDecoder.toRgb(image)).crops().get(0);
        return DenseTensor.of(new long[] {1, 3, px.height(), px.width()}, px.channels().toArray());
      };
      preprocessor = p;
    }
    return p;
  }

  /**
   * The residual stream at {@code hook} per crop, {@code [tokens x d]} each.
   *
   * @param pixels {@code [crops, 3, imageSize, imageSize]}
   * @throws InvalidInputException if the hook is not a vision hook inside the tower
   */
  public List<FloatMatrix> residualStream(DenseTensor pixels, HookPoint hook) {
    try (Lifetime.Call call = lifetime.enter()) {
      int index = vision.checkHook(hook);
      try (NDManager m = weightsManager.newSubManager()) {
        return vision.hiddenStates(Nd.create(m, pixels), index);
      }
    }
  }

  /** Which folder this was loaded from. */
  public Path folder() {
    return folder;
  }

  /**
   * Refuses new calls at once, waits for the calls in flight, then frees the weights. Never throws;
   * later calls fail with {@code "ClipModel <folder> is closed; load it again"}. Called from inside one
   * of this model's own calls, it does not wait: the weights are freed when that call returns. A model
   * dropped without {@code close()} has its weights freed once unreachable (a {@link
   * java.lang.ref.Cleaner}).
   */
  @Override
  public void close() {
    lifetime.close();
  }

  @Override
  public String toString() {
    return "ClipModel[" + folder + ", vision " + vision.config().numLayers() + "x" + vision.config().hiddenSize()
        + (text == null ? "" : ", text " + text.config().numLayers() + "x" + text.config().hiddenSize()) + "]";
  }

  /** Unused optional accessor kept for symmetry with LlavaModel. */
  Optional<ClipTextTower> textTower() {
    return Optional.ofNullable(text);
  }
}
