package org.visualscratchpad.samples.shapes.vlm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.samples.shapes.language.ShapesVocabulary;

/**
 * The trainable ShapesWorld VLM on DJL NDArrays: LLaVA-1.5's forward pass written out in data-flow
 * order, with every weight held under its Hugging Face name ({@code vision_tower.vision_model.*},
 * {@code multi_modal_projector.*}, {@code language_model.model.*}, {@code language_model.lm_head.weight}),
 * so that {@link #save(Path)} writes a checkpoint any LLaVA loader reads.
 *
 * <p>Shapes: {@code B} batch, {@code S} sequence, {@code N} image tokens ({@link TinyLlavaConfig#imageTokens()}),
 * {@code Dv}/{@code Dt} vision/text hidden sizes, {@code V} vocabulary. Autograd works through every method
 * when called inside a DJL {@code GradientCollector}; arrays this class returns belong to the caller's
 * scope (use {@code ai.djl.ndarray.NDScope}).
 *
 * <pre>{@code
 * jshell> try (var model = TinyLlava.initialise(TinyLlavaConfig.SHIPPED, 7, NDManager.newBaseManager())) {
 *    ...>   System.out.println(model.parameterCount());
 *    ...> }
 * }</pre>
 *
 * <p>Not thread-safe (training mutates the weights in place).
 */
public final class TinyLlava implements AutoCloseable {
  /** Prefix of the vision tower's weight names. */
  public static final String VISION = "vision_tower.vision_model.";
  static final String PROJECTOR = "multi_modal_projector.";
  static final String TEXT = "language_model.model.";
  static final String LM_HEAD = "language_model.lm_head.weight";

  private final TinyLlavaConfig config;
  private final NDManager manager;
  private final Map<String, NDArray> weights;
  private final NDArray rotateHalf; // (hd, hd): q @ R == rotate_half(q) = cat(-q2, q1)

  private TinyLlava(TinyLlavaConfig config, NDManager manager, Map<String, NDArray> weights) {
    this.config = config;
    this.manager = manager;
    this.weights = weights;
    int hd = config.textHeadDim();
    float[] r = new float[hd * hd];
    int half = hd / 2;
    for (int i = 0; i < half; i++) {
      r[(i + half) * hd + i] = -1f; // out[i] = -q[i + half]
      r[i * hd + i + half] = 1f; // out[i + half] = q[i]
    }
    this.rotateHalf = manager.create(r, new Shape(hd, hd));
  }

  /** Every weight name with its shape, in the order they are created and saved. */
  public static Map<String, long[]> weightShapes(TinyLlavaConfig c) {
    Map<String, long[]> s = new LinkedHashMap<>();
    int dv = c.visionHidden();
    int iv = c.visionIntermediate();
    s.put(VISION + "embeddings.class_embedding", new long[] {dv});
    s.put(VISION + "embeddings.patch_embedding.weight", new long[] {dv, 3, c.patchSize(), c.patchSize()});
    s.put(VISION + "embeddings.position_embedding.weight", new long[] {c.imageTokens() + 1, dv});
    s.put(VISION + "pre_layrnorm.weight", new long[] {dv});
    s.put(VISION + "pre_layrnorm.bias", new long[] {dv});
    for (int l = 0; l < c.visionLayers(); l++) {
      String p = VISION + "encoder.layers." + l + ".";
      for (String proj : List.of("k_proj", "v_proj", "q_proj", "out_proj")) {
        s.put(p + "self_attn." + proj + ".weight", new long[] {dv, dv});
        s.put(p + "self_attn." + proj + ".bias", new long[] {dv});
      }
      s.put(p + "layer_norm1.weight", new long[] {dv});
      s.put(p + "layer_norm1.bias", new long[] {dv});
      s.put(p + "mlp.fc1.weight", new long[] {iv, dv});
      s.put(p + "mlp.fc1.bias", new long[] {iv});
      s.put(p + "mlp.fc2.weight", new long[] {dv, iv});
      s.put(p + "mlp.fc2.bias", new long[] {dv});
      s.put(p + "layer_norm2.weight", new long[] {dv});
      s.put(p + "layer_norm2.bias", new long[] {dv});
    }
    s.put(VISION + "post_layernorm.weight", new long[] {dv});
    s.put(VISION + "post_layernorm.bias", new long[] {dv});
    int dt = c.textHidden();
    s.put(PROJECTOR + "linear_1.weight", new long[] {dt, dv});
    s.put(PROJECTOR + "linear_1.bias", new long[] {dt});
    s.put(PROJECTOR + "linear_2.weight", new long[] {dt, dt});
    s.put(PROJECTOR + "linear_2.bias", new long[] {dt});
    s.put(TEXT + "embed_tokens.weight", new long[] {c.vocabSize(), dt});
    for (int l = 0; l < c.textLayers(); l++) {
      String p = TEXT + "layers." + l + ".";
      for (String proj : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
        s.put(p + "self_attn." + proj + ".weight", new long[] {dt, dt});
      }
      s.put(p + "mlp.gate_proj.weight", new long[] {c.textIntermediate(), dt});
      s.put(p + "mlp.up_proj.weight", new long[] {c.textIntermediate(), dt});
      s.put(p + "mlp.down_proj.weight", new long[] {dt, c.textIntermediate()});
      s.put(p + "input_layernorm.weight", new long[] {dt});
      s.put(p + "post_attention_layernorm.weight", new long[] {dt});
    }
    s.put(TEXT + "norm.weight", new long[] {dt});
    s.put(LM_HEAD, new long[] {c.vocabSize(), dt});
    return Collections.unmodifiableMap(s);
  }

  /**
   * A model with seeded random weights: linear weights N(0, 1/fan_in) (output projections scaled down by
   * the depth), biases 0, norm scales 1, token and vision position embeddings N(0, 1), class embedding N(0, 0.1).
   */
  public static TinyLlava initialise(TinyLlavaConfig config, long seed, NDManager parent) {
    NDManager m = parent.newSubManager();
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, NDArray> w = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : weightShapes(config).entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue();
      int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      float[] data = new float[n];
      double std;
      if (name.endsWith(".bias")) {
        std = 0;
      } else if (name.contains("norm") || name.contains("layernorm") || name.contains("layrnorm")) {
        Arrays.fill(data, 1f);
        std = 0;
      } else if (name.endsWith("class_embedding")) {
        std = 0.1;
      } else if (name.endsWith("position_embedding.weight")) {
        std = 1.0; // strong from the start: answers read an object's position out of its image features

      } else if (name.endsWith("embed_tokens.weight")) {
        std = 1.0;
      } else {
        long fanIn = n / shape[0];
        std = 1.0 / Math.sqrt(fanIn);
        if (name.contains("out_proj") || name.contains("o_proj") || name.contains("fc2") || name.contains("down_proj")) {
          std /= Math.sqrt(2.0 * (name.startsWith(VISION) ? config.visionLayers() : config.textLayers()));
        }
      }
      if (std > 0) {
        for (int i = 0; i < n; i++) {
          data[i] = (float) (rng.nextGaussian() * std);
        }
      }
      w.put(name, m.create(data, new Shape(shape)));
    }
    return new TinyLlava(config, m, w);
  }

  /**
   * The model stored in {@code file} (a {@code model.safetensors} this class wrote, or any checkpoint of
   * the same sizes with these names).
   *
   * @throws CheckpointFormatException if a weight is missing or has another shape
   */
  public static TinyLlava load(TinyLlavaConfig config, Path file, NDManager parent) {
    NDManager m = parent.newSubManager();
    Map<String, NDArray> w = new LinkedHashMap<>();
    try (SafetensorsFile st = SafetensorsFile.open(file)) {
      for (Map.Entry<String, long[]> e : weightShapes(config).entrySet()) {
        if (!st.contains(e.getKey())) {
          throw new CheckpointFormatException(file, "tensor " + e.getKey() + " is missing. Was it written by another model?");
        }
        long[] shape = st.info(e.getKey()).shape().stream().mapToLong(Long::longValue).toArray();
        if (!Arrays.equals(shape, e.getValue())) {
          throw new CheckpointFormatException(file, "tensor " + e.getKey() + " has shape " + Arrays.toString(shape)
              + " but the config asks for " + Arrays.toString(e.getValue()) + ". Check config.json.");
        }
        w.put(e.getKey(), m.create(st.floats(e.getKey()), new Shape(shape)));
      }
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
    return new TinyLlava(config, m, w);
  }

  public TinyLlavaConfig config() {
    return config;
  }

  /**
   * The weights by Hugging Face name: the live arrays, which a trainer updates in place. Do not close
   * them; the model owns them.
   */
  public Map<String, NDArray> weights() {
    return weights;
  }

  /** Total number of parameters. */
  public long parameterCount() {
    return weights.values().stream().mapToLong(a -> a.getShape().size()).sum();
  }

  /** Writes the weights as F32 {@code model.safetensors} with the Hub key names. */
  public void save(Path file) {
    SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");
    for (Map.Entry<String, NDArray> e : weights.entrySet()) {
      out.putFloats(e.getKey(), e.getValue().toFloatArray(), e.getValue().getShape().getShape());
    }
    out.write(file);
  }

  // ---------------------------------------------------------------- vision tower + projector

  /**
   * Image features as the language model receives them: CLIP {@code hidden_states[-2]} without CLS,
   * through the projector.
   *
   * @param pixelValues {@code [B, 3, H, W]} CLIP-normalised pixels
   * @return {@code [B, N, Dt]}
   */
  public NDArray imageFeatures(NDArray pixelValues) {
    return project(visionHiddenState(pixelValues, config.visionLayers() - 1)); // hidden_states[-2]: [B, N+1, Dv]
  }

  /**
   * The projector applied to a vision hidden state without its CLS row.
   *
   * @param hidden {@code [B, N+1, Dv]}, e.g. {@code visionHiddenState(pixels, visionLayers - 1)}
   * @return {@code [B, N, Dt]}
   */
  public NDArray project(NDArray hidden) {
    NDArray patches = hidden.get(new NDIndex(":, 1:, :")); // strategy "default" drops CLS: [B, N, Dv]
    NDArray h = gelu(linear(patches, PROJECTOR + "linear_1")); // [B, N, Dt]
    return linear(h, PROJECTOR + "linear_2"); // [B, N, Dt]
  }

  /**
   * HF's {@code hidden_states[index]} of the vision tower: index 0 is the output of {@code pre_layrnorm},
   * index {@code i} the residual stream after {@code encoder.layers[i-1]}.
   *
   * @param pixelValues {@code [B, 3, H, W]}
   * @return {@code [B, N+1, Dv]} (CLS at position 0)
   */
  public NDArray visionHiddenState(NDArray pixelValues, int index) {
    InvalidInputException.check(index >= 0 && index <= config.visionLayers(),
        "vision hidden state index (%s) must be in [0, %s]", index, config.visionLayers());
    long b = pixelValues.getShape().get(0);
    int p = config.patchSize();
    int g = config.gridSide();
    int dv = config.visionHidden();
    // patch embedding = Conv2d(3 -> Dv, kernel = stride = p, no bias) as a matmul over flattened patches
    NDArray patches = pixelValues.reshape(b, 3, g, p, g, p) // [B, C, pr, kh, pc, kw]
        .transpose(0, 2, 4, 1, 3, 5) // [B, pr, pc, C, kh, kw]
        .reshape(b, (long) g * g, 3L * p * p); // [B, N, 3 p p]
    NDArray patchWeight = w(VISION + "embeddings.patch_embedding.weight").reshape(dv, 3L * p * p); // [Dv, 3 p p]
    NDArray patchEmbeds = patches.matMul(patchWeight.transpose()); // [B, N, Dv]
    NDArray cls = patchEmbeds.zerosLike().get(new NDIndex(":, :1, :")).add(w(VISION + "embeddings.class_embedding")); // [B, 1, Dv]
    NDArray x = cls.concat(patchEmbeds, 1).add(w(VISION + "embeddings.position_embedding.weight")); // [B, N+1, Dv]
    x = layerNorm(x, VISION + "pre_layrnorm"); // hidden_states[0]
    for (int layer = 0; layer < index; layer++) {
      x = visionLayer(x, layer); // hidden_states[layer + 1]
    }
    return x;
  }

  private NDArray visionLayer(NDArray x, int layer) {
    String p = VISION + "encoder.layers." + layer + ".";
    NDArray h = layerNorm(x, p + "layer_norm1"); // [B, T, Dv]
    NDArray q = linear(h, p + "self_attn.q_proj");
    NDArray k = linear(h, p + "self_attn.k_proj");
    NDArray v = linear(h, p + "self_attn.v_proj");
    NDArray o = attention(q, k, v, config.visionHeads(), null, null); // [B, T, Dv], no mask
    x = x.add(linear(o, p + "self_attn.out_proj"));
    h = layerNorm(x, p + "layer_norm2");
    h = quickGelu(linear(h, p + "mlp.fc1")); // [B, T, Iv]
    return x.add(linear(h, p + "mlp.fc2"));
  }

  // ---------------------------------------------------------------- language model

  /**
   * Logits of the language model for every position, image tokens replaced by {@code imageFeatures}.
   * The {@code <image>} tokens of each row must form one block of {@code N} at the same offset in every
   * row (what the chat template gives); rows are right-padded, so no padding mask is needed.
   *
   * @param imageFeatures {@code [B, N, Dt]} from {@link #imageFeatures(NDArray)}
   * @param inputIds {@code [B][S]} token ids with the image placeholder expanded
   * @return {@code [B, S, V]}
   */
  public NDArray logits(NDArray imageFeatures, int[][] inputIds) {
    int b = inputIds.length;
    int s = inputIds[0].length;
    int n = config.imageTokens();
    int imageStart = imageBlockStart(inputIds, n, config.imageTokenIndex());
    int[] flat = new int[b * s];
    for (int r = 0; r < b; r++) {
      InvalidInputException.check(inputIds[r].length == s, "row %s has %s tokens; every row must have %s", r, inputIds[r].length, s);
      System.arraycopy(inputIds[r], 0, flat, r * s, s);
    }
    NDManager scope = imageFeatures.getManager();
    NDArray ids = scope.create(flat, new Shape(b, s));
    NDArray embeds = ids.oneHot(config.vocabSize()).matMul(w(TEXT + "embed_tokens.weight")); // [B, S, Dt]
    // merge: the N image positions take the projected features, in order (HF's masked_scatter)
    List<NDArray> parts = new ArrayList<>();
    if (imageStart > 0) {
      parts.add(embeds.get(new NDIndex(":, 0:" + imageStart + ", :")));
    }
    parts.add(imageFeatures);
    if (imageStart + n < s) {
      parts.add(embeds.get(new NDIndex(":, " + (imageStart + n) + ":, :")));
    }
    NDArray x = parts.size() == 1 ? parts.get(0) : concat(parts); // [B, S, Dt]
    NDArray[] rope = rope(scope, s); // cos, sin: [S, hd]
    NDArray mask = causalMask(scope, s); // [S, S]
    for (int layer = 0; layer < config.textLayers(); layer++) {
      x = textLayer(x, layer, rope, mask);
    }
    x = rmsNorm(x, TEXT + "norm");
    return x.matMul(w(LM_HEAD).transpose()); // [B, S, V]
  }

  private NDArray textLayer(NDArray x, int layer, NDArray[] rope, NDArray mask) {
    String p = TEXT + "layers." + layer + ".";
    NDArray h = rmsNorm(x, p + "input_layernorm");
    NDArray q = h.matMul(w(p + "self_attn.q_proj.weight").transpose()); // [B, S, Dt]
    NDArray k = h.matMul(w(p + "self_attn.k_proj.weight").transpose());
    NDArray v = h.matMul(w(p + "self_attn.v_proj.weight").transpose());
    NDArray o = attention(q, k, v, config.textHeads(), rope, mask); // [B, S, Dt]
    x = x.add(o.matMul(w(p + "self_attn.o_proj.weight").transpose()));
    h = rmsNorm(x, p + "post_attention_layernorm");
    NDArray gate = h.matMul(w(p + "mlp.gate_proj.weight").transpose()); // [B, S, It]
    NDArray up = h.matMul(w(p + "mlp.up_proj.weight").transpose());
    NDArray act = gate.mul(Activation.sigmoid(gate)).mul(up); // silu(gate) * up
    return x.add(act.matMul(w(p + "mlp.down_proj.weight").transpose()));
  }

  /** Multi-head attention; {@code rope} (cos, sin) and {@code mask} are null for the vision tower. */
  private NDArray attention(NDArray q, NDArray k, NDArray v, int heads, NDArray[] rope, NDArray mask) {
    Shape shape = q.getShape(); // [B, T, D]
    long b = shape.get(0);
    long t = shape.get(1);
    long d = shape.get(2);
    long hd = d / heads;
    q = q.reshape(b, t, heads, hd).transpose(0, 2, 1, 3); // [B, H, T, hd]
    k = k.reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
    v = v.reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
    if (rope != null) {
      q = q.mul(rope[0]).add(q.matMul(rotateHalf).mul(rope[1]));
      k = k.mul(rope[0]).add(k.matMul(rotateHalf).mul(rope[1]));
    }
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul((float) (1.0 / Math.sqrt(hd))); // [B, H, T, T]
    if (mask != null) {
      scores = scores.add(mask);
    }
    NDArray probs = scores.softmax(-1);
    return probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, d); // [B, T, D]
  }

  private NDArray[] rope(NDManager scope, int s) {
    int hd = config.textHeadDim();
    int half = hd / 2;
    float[] cos = new float[s * hd];
    float[] sin = new float[s * hd];
    for (int i = 0; i < half; i++) {
      float invFreq = (float) (1.0 / Math.pow(TinyLlavaConfig.ROPE_THETA, (float) (2 * i) / hd));
      for (int pos = 0; pos < s; pos++) {
        float phi = pos * invFreq;
        float c = (float) Math.cos(phi);
        float sn = (float) Math.sin(phi);
        cos[pos * hd + i] = c;
        cos[pos * hd + i + half] = c;
        sin[pos * hd + i] = sn;
        sin[pos * hd + i + half] = sn;
      }
    }
    return new NDArray[] {scope.create(cos, new Shape(s, hd)), scope.create(sin, new Shape(s, hd))};
  }

  private static NDArray causalMask(NDManager scope, int s) {
    float[] m = new float[s * s];
    for (int i = 0; i < s; i++) {
      for (int j = i + 1; j < s; j++) {
        m[i * s + j] = -1e9f;
      }
    }
    return scope.create(m, new Shape(s, s));
  }

  static int imageBlockStart(int[][] inputIds, int n, int imageToken) {
    int start = -1;
    for (int r = 0; r < inputIds.length; r++) {
      int first = -1;
      int count = 0;
      for (int pos = 0; pos < inputIds[r].length; pos++) {
        if (inputIds[r][pos] == imageToken) {
          if (first < 0) {
            first = pos;
          }
          count++;
        }
      }
      InvalidInputException.check(count == n,
          "row %s has %s <image> tokens but the model has %s image features. Expand the placeholder with ChatPrompt.expandImageTokens.",
          r, count, n);
      for (int pos = first; pos < first + n; pos++) {
        InvalidInputException.check(inputIds[r][pos] == imageToken,
            "the <image> tokens of row %s must be contiguous (gap at position %s)", r, pos);
      }
      InvalidInputException.check(start < 0 || start == first,
          "the image block starts at position %s in row %s but at %s in row 0; batch rows with the same prompt prefix",
          first, r, start);
      start = first;
    }
    return start;
  }

  /**
   * Greedy answers (full recompute per step, no KV cache): the argmax token of the last position is
   * appended until {@code </s>} or {@code maxNewTokens}. Plain Java in and out; the native arrays live in
   * a scope closed before returning.
   *
   * @param images the scenes' images, one per prompt
   * @param promptIds {@code [B][S0]} prompts of equal length (placeholder expanded)
   * @return {@code [B][<= maxNewTokens]} generated ids, without {@code </s>}
   */
  public int[][] greedy(java.util.List<org.visualscratchpad.samples.shapes.RgbImage> images, int[][] promptIds, int maxNewTokens) {
    int b = promptIds.length;
    InvalidInputException.check(images.size() == b, "image count (%s) must equal prompt count (%s)", images.size(), b);
    int[][] seqs = new int[b][];
    for (int r = 0; r < b; r++) {
      InvalidInputException.check(promptIds[r].length == promptIds[0].length,
          "prompt %s has %s tokens but prompt 0 has %s; greedy batches need prompts of equal length", r, promptIds[r].length, promptIds[0].length);
      seqs[r] = promptIds[r].clone();
    }
    List<List<Integer>> out = new ArrayList<>();
    boolean[] done = new boolean[b];
    for (int r = 0; r < b; r++) {
      out.add(new ArrayList<>());
    }
    try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray pixels = manager.create(org.visualscratchpad.samples.shapes.vlm.ClipPixels.normalise(images),
          new Shape(b, 3, config.imageSize(), config.imageSize()));
      NDArray features = imageFeatures(pixels);
      for (int step = 0; step < maxNewTokens; step++) {
        int[] next;
        try (ai.djl.ndarray.NDScope inner = new ai.djl.ndarray.NDScope()) {
          inner.suppressNotUsedWarning();
          NDArray logits = logits(features, seqs); // [B, S, V]
          long s = logits.getShape().get(1);
          next = logits.get(new NDIndex(":, " + (s - 1) + ", :")).argMax(-1).toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
        }
        boolean all = true;
        for (int r = 0; r < b; r++) {
          if (!done[r]) {
            if (next[r] == ShapesVocabulary.EOS) {
              done[r] = true;
            } else {
              out.get(r).add(next[r]);
            }
          }
          seqs[r] = Arrays.copyOf(seqs[r], seqs[r].length + 1);
          seqs[r][seqs[r].length - 1] = done[r] ? ShapesVocabulary.EOS : next[r];
          all &= done[r];
        }
        if (all) {
          break;
        }
      }
    }
    int[][] result = new int[b][];
    for (int r = 0; r < b; r++) {
      result[r] = out.get(r).stream().mapToInt(Integer::intValue).toArray();
    }
    return result;
  }

  // ---------------------------------------------------------------- building blocks

  private NDArray w(String name) {
    NDArray a = weights.get(name);
    if (a == null) {
      throw new IllegalStateException("no weight " + name);
    }
    return a;
  }

  private NDArray linear(NDArray x, String prefix) {
    return x.matMul(w(prefix + ".weight").transpose()).add(w(prefix + ".bias"));
  }

  private NDArray layerNorm(NDArray x, String prefix) {
    NDArray mean = x.mean(new int[] {-1}, true);
    NDArray centred = x.sub(mean);
    NDArray var = centred.square().mean(new int[] {-1}, true); // biased variance
    return centred.div(var.add((float) TinyLlavaConfig.LAYER_NORM_EPS).sqrt())
        .mul(w(prefix + ".weight")).add(w(prefix + ".bias"));
  }

  private NDArray rmsNorm(NDArray x, String prefix) {
    NDArray ms = x.square().mean(new int[] {-1}, true);
    return x.div(ms.add((float) TinyLlavaConfig.RMS_NORM_EPS).sqrt()).mul(w(prefix + ".weight"));
  }

  private static NDArray quickGelu(NDArray x) {
    return x.mul(Activation.sigmoid(x.mul(1.702f)));
  }

  /** Exact (erf) GELU, as {@code ACT2FN["gelu"]}. */
  static NDArray gelu(NDArray x) {
    return x.mul(x.mul((float) (1.0 / Math.sqrt(2.0))).erf().add(1f)).mul(0.5f);
  }

  private static NDArray concat(List<NDArray> parts) {
    NDArray out = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      out = out.concat(parts.get(i), 1);
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }

  @Override
  public String toString() {
    return "TinyLlava[" + config + ", " + parameterCount() + " parameters]";
  }
}
