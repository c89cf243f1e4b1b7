package org.visualscratchpad.torch.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.checkpoint.Weights;
import org.visualscratchpad.torch.clip.ClipVisionTower;
import org.visualscratchpad.torch.lifetime.Lifetime;
import org.visualscratchpad.torch.family.TextPositions;
import org.visualscratchpad.torch.family.VlmConfig;
import org.visualscratchpad.torch.family.VlmFamilies;
import org.visualscratchpad.torch.family.VlmFamily;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.llama.KvCache;
import org.visualscratchpad.torch.llama.LlamaDecoder;
import org.visualscratchpad.torch.nn.Activation;
import org.visualscratchpad.torch.nn.Linear;
import org.visualscratchpad.torch.nn.Nd;
import org.visualscratchpad.torch.trace.DenseTensor;
import org.visualscratchpad.torch.trace.Trace;
import org.visualscratchpad.vision.VisionEncoder;

/**
 * A vision-language model checkpoint of any registered family ({@link VlmFamilies}: LLaVA-1.5, LLaVA-NeXT,
 * LLaVA-OneVision) in Hugging Face layout (single or sharded safetensors, F32/F16/BF16, legacy or new key
 * names), computed in float32 with eager attention: the vision tower (with an SAE hook at any layer), the
 * projector and the family's packing of image features, and the language model with KV-cached generation and
 * text-to-image attention capture. The name is the first family's; the family is chosen by {@code
 * config.json}'s {@code model_type}.
 *
 * <p>Engines: {@code cpu} (the project's CPU engine) runs every family; {@code torch:cpu} and {@code gpu}
 * (libtorch through DJL) run LLaVA-1.5 and LLaVA-NeXT only ({@link VlmFamily#runsOnLibtorch()}): loading
 * another family there fails with a message saying so.
 *
 * <pre>{@code
 * jshell> try (var model = LlavaModel.load(Path.of("llava-1.5-7b-hf"))) {
 *    ...>   var g = model.generate(GenerationRequest.of(ids, List.of(new ImageInput(pixels, 480, 640)), 20)
 *    ...>       .withSae(SaeTap.read(sae))
 *    ...>       .withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP)));
 *    ...>   System.out.println(g.newTokens() + " " + g.attention().weights());
 *    ...> }
 * }</pre>
 *
 * <p>Thread-safe for concurrent calls: weights are read-only and every call opens and closes its
 * own native scope; an SAE tap or intervention applies to its call only, and a call that throws
 * leaves the model exact for the next. {@link #close()} frees the weights and never throws.
 */
public final class LlavaModel implements VisionEncoder, AutoCloseable {
  private final Path folder;
  private final VlmFamily family;
  private final VlmConfig cfg;
  private final LlavaConfig llava;     // the libtorch path's config (LLaVA families), else null
  private final NDManager weightsManager;
  private final ClipVisionTower vision;
  private final Linear projector1;     // (d_text, d_vision)
  private final Linear projector2;     // (d_text, d_text)
  private final NDArray imageNewline;  // (d_text) or null
  private final LlamaDecoder decoder;
  private volatile Function<BufferedImage, ImageInput> preprocessor;   // the folder's own, read on first use
  private final CpuVlm cpu;            // the CPU engine, or null on libtorch
  private final Lifetime lifetime;

  private LlavaModel(Path folder, VlmFamily family, VlmConfig cfg, Weights w,
      org.visualscratchpad.torch.cpu.PackedWeight.Storage as) {
    this.folder = folder;
    this.family = family;
    this.cfg = cfg;
    this.llava = null;
    this.weightsManager = null;
    this.vision = null;
    this.projector1 = null;
    this.projector2 = null;
    this.imageNewline = null;
    this.decoder = null;
    this.cpu = new CpuVlm(this, family, cfg, w, as);
    this.lifetime = Lifetime.of(this, "LlavaModel " + folder);
  }

  private LlavaModel(Path folder, VlmFamily family, LlavaConfig cfg, NDManager manager, Weights w) {
    this.folder = folder;
    this.family = family;
    this.cfg = cfg;
    this.llava = cfg;
    this.cpu = null;
    this.weightsManager = manager;
    long dv = cfg.vision().hiddenSize();
    long dt = cfg.text().hiddenSize();
    vision = ClipVisionTower.load(w, "vision_tower.vision_model", cfg.vision(), false);
    projector1 = Linear.load(w, "multi_modal_projector.linear_1", dt, dv, cfg.projectorBias());
    projector2 = Linear.load(w, "multi_modal_projector.linear_2", dt, dt, cfg.projectorBias());
    imageNewline = cfg.isNext() ? w.load("image_newline", dt) : null;
    decoder = LlamaDecoder.load(w, "language_model", "lm_head.weight", cfg.text());
    lifetime = Lifetime.of(this, "LlavaModel " + folder, manager);
  }

  /**
   * Loads {@code folder}: {@code config.json} and {@code model.safetensors} or a sharded checkpoint
   * with {@code model.safetensors.index.json}, on the CPU engine.
   *
   * @throws CheckpointFormatException naming the file (and tensor) if config.json, a shard or a
   *     tensor is missing, a shape disagrees with the config, or the model type is not a registered
   *     family (the message lists them)
   */
  public static LlavaModel load(Path folder) {
    return load(folder, "cpu");
  }

  /**
   * Loads {@code folder} onto {@code device} with the weights in their stored precision; see {@link
   * #load(Path, String, String)}.
   */
  public static LlavaModel load(Path folder, String device) {
    return load(folder, device, "auto");
  }

  /**
   * Loads {@code folder} onto {@code device}: {@code "cpu"} is the project's CPU engine (weights kept in
   * {@code dtype}, float32 compute; every family); {@code "torch:cpu"}, {@code "gpu"}, {@code "gpu:1"} run on
   * libtorch through DJL (float32 weights; LLaVA-1.5 and LLaVA-NeXT only).
   *
   * @param dtype {@code auto} (each tensor's stored precision), {@code f32}, {@code bf16} or {@code f16}
   * @throws InvalidInputException if the device or dtype is not one this library knows, or the family does not
   *     run on that engine
   */
  public static LlavaModel load(Path folder, String device, String dtype) {
    ConfigJson json = ConfigJson.read(folder);
    VlmFamily family = VlmFamilies.forConfig(json);
    VlmConfig cfg = family.readConfig(json);
    org.visualscratchpad.torch.cpu.PackedWeight.Storage as = Devices.storage(dtype);
    boolean cpuEngine = Devices.isCpuEngine(device);
    InvalidInputException.check(cpuEngine || family.runsOnLibtorch(),
        "%s (model_type %s) runs on the CPU engine only (--device cpu); libtorch (--device %s) runs %s. Load it with "
            + "device cpu.", family.displayName(), family.modelType(), device, libtorchFamilies());
    InvalidInputException.check(cpuEngine || as == null || as == org.visualscratchpad.torch.cpu.PackedWeight.Storage.F32,
        "dtype (%s) is for the cpu engine; on %s the weights are float32 (use --dtype f32 or auto)", dtype, device);
    try (Weights headers = Weights.open(folder)) {
      Preflight.estimate(family, cfg, headers.headers(), as, cpuEngine).check(folder, cpuEngine, dtype);
      if (cpuEngine) {
        return new LlavaModel(folder, family, cfg, headers, as);
      }
    }
    NDManager manager = NDManager.newBaseManager(Devices.parse(device));
    try (Weights w = Weights.open(folder, manager)) {
      return new LlavaModel(folder, family, (LlavaConfig) cfg, manager, w);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static String libtorchFamilies() {
    List<String> names = new ArrayList<>();
    for (VlmFamily f : VlmFamilies.all()) {
      if (f.runsOnLibtorch()) {
        names.add(f.modelType());
      }
    }
    return String.join(" and ", names);
  }

  /** The configuration (a {@link LlavaConfig} for LLaVA-1.5 and LLaVA-NeXT; each family has its own). */
  public VlmConfig config() {
    return cfg;
  }

  /** The model family ({@code config.json}'s {@code model_type}). */
  public VlmFamily family() {
    return family;
  }

  /** The folder this was loaded from. */
  public Path folder() {
    return folder;
  }

  // ------------------------------------------------------------------------------------------
  // Vision

  /** Number of crops the model uses for {@code image}: 1 (LLaVA-1.5) or the anyres count. */
  public int cropsFor(ImageInput image) {
    return layoutOf(image).cropCount();
  }

  /**
   * The layout the model packs {@code image} with: the family's one {@link ImageFeatureLayout}, the same the
   * input pipeline expands the prompt by (token count, which feature each token carries, crops).
   */
  public ImageFeatureLayout layoutOf(ImageInput image) {
    return family.layoutForModel(new ImageSize(image.height(), image.width()), cfg);
  }

  /** Number of image tokens {@code image} takes in {@code input_ids} (newlines included). */
  public int imageTokenCount(ImageInput image) {
    return layoutOf(image).tokenCount();
  }

  VisionFeatures visionFeatures(NDManager m, List<ImageInput> images, SaeTap tap, Trace trace) {
    return visionFeatures(m, images, tap, trace, null);
  }

  /**
   * @param start the unedited stream at the tap's hook per crop (from a {@link PromptCache}): the
   *     layers before the hook are skipped
   */
  VisionFeatures visionFeatures(NDManager m, List<ImageInput> images, SaeTap tap, Trace trace, List<FloatMatrix> start) {
    LlavaConfig cfg = llava;
    int s = cfg.vision().imageSize();
    List<float[]> cropData = new ArrayList<>();
    List<int[]> cropOwner = new ArrayList<>();   // {image, crop}
    for (int i = 0; i < images.size(); i++) {
      ImageInput img = images.get(i);
      int need = checkedCrops(i, img);
      for (int c = 0; c < need; c++) {
        cropData.add(img.pixels().slice(c).toArray());
        cropOwner.add(new int[] {i, c});
      }
    }
    int n = cropData.size();
    float[] all = new float[n * 3 * s * s];
    for (int c = 0; c < n; c++) {
      System.arraycopy(cropData.get(c), 0, all, c * 3 * s * s, 3 * s * s);
    }
    int featureIndex = cfg.featureHiddenIndex();
    int hookIndex = -1;
    if (tap != null) {
      hookIndex = checkTap(tap);
    }
    int lastLayer = trace != null ? cfg.vision().numLayers() : Math.max(featureIndex, hookIndex);
    List<FloatMatrix> hooked = new ArrayList<>();
    List<FloatMatrix> edited = new ArrayList<>();
    NDArray x;
    int firstLayer = 0;
    if (start != null && hookIndex >= 0 && hookIndex <= featureIndex && trace == null) {
      InvalidInputException.check(start.size() == n, "the cached stream has %s crops; the images give %s", start.size(), n);
      long tokens = start.get(0).rows();
      long d = start.get(0).cols();
      float[] z = new float[(int) (n * tokens * d)];
      for (int c = 0; c < n; c++) {
        start.get(c).copyInto(z, (int) (c * tokens * d));
      }
      x = m.create(z, new Shape(n, tokens, d));
      firstLayer = hookIndex;
    } else {
      x = vision.embed(m.create(all, new Shape(n, 3, s, s)));
    }
    NDArray feature = featureIndex == firstLayer ? x : null;
    if (trace != null) {
      trace.put("vision_tower.hidden_states.0", Nd.dense(x));
    }
    if (hookIndex == firstLayer) {
      x = applyTap(m, x, tap, cropOwner, hooked, edited);
      if (featureIndex == firstLayer) {
        feature = x;
      }
    }
    for (int l = firstLayer; l < lastLayer; l++) {
      x = vision.layer(l, x, null);
      if (l + 1 == hookIndex) {
        x = applyTap(m, x, tap, cropOwner, hooked, edited);
      }
      if (l + 1 == featureIndex) {
        feature = x;
      }
      if (trace != null) {
        trace.put("vision_tower.hidden_states." + (l + 1), Nd.dense(x));
      }
    }
    NDArray selected = cfg.keepCls() ? feature : feature.get(":, 1:, :");
    int perCrop = (int) selected.getShape().get(1);
    NDArray projected = projector2.apply(Activation.GELU.apply(projector1.apply(selected)));   // (n, t, d_text)
    if (trace != null) {
      trace.put("vision_tower.selected_feature", Nd.dense(selected));
      trace.put("projected_tiles", Nd.dense(projected));
    }
    long t = projected.getShape().get(1);
    long dt = cfg.text().hiddenSize();
    NDArray flat = projected.reshape(n * t, dt);
    List<Integer> index = new ArrayList<>();
    List<Boolean> isNewline = new ArrayList<>();
    int cropOffset = 0;
    long[] lens = new long[images.size()];
    for (int i = 0; i < images.size(); i++) {
      ImageFeatureLayout layout = layoutOf(images.get(i));
      int[] rows = layout.featureSourceRows();
      for (int k = 0; k < rows.length; k++) {
        boolean nl = rows[k] < 0;
        index.add(nl ? (int) (n * t) : (int) (cropOffset * perCrop + rows[k]));
        isNewline.add(!layout.carriesPatch(k));
      }
      lens[i] = layout.tokenCount();
      cropOffset += layout.cropCount();
    }
    NDArray source = flat;
    if (imageNewline != null) {
      NDArray nl = m.zeros(new Shape(1, dt)).add(imageNewline);
      source = NDArrays.concat(new NDList(flat, nl), 0);
    }
    long[] idx = index.stream().mapToLong(Integer::longValue).toArray();
    NDArray features = source.get(new NDIndex("{}", m.create(idx)));
    boolean[] newline = new boolean[isNewline.size()];
    for (int k = 0; k < newline.length; k++) {
      newline[k] = isNewline.get(k);
    }
    if (trace != null) {
      trace.put("packed_image_features", Nd.dense(features));
      float[] l = new float[lens.length];
      for (int i = 0; i < l.length; i++) {
        l[i] = lens[i];
      }
      trace.put("packed_feature_lens", DenseTensor.adopt(new long[] {l.length}, l));
      trace.put("image_features", Nd.dense(features));
    }
    return new VisionFeatures(features, newline, hooked, edited);
  }

  /**
   * Checks image {@code i} of a call against the vision tower (crop size, crop count) on either engine;
   * returns the number of crops the model uses.
   */
  int checkedCrops(int i, ImageInput img) {
    if (cpu != null) {
      return cpu.checkedCrops(i, img);
    }
    LlavaConfig cfg = llava;
    int s = cfg.vision().imageSize();
    InvalidInputException.check(img.pixels().rank() == 4 && img.pixels().dim(1) == 3,
        "image %s pixels have shape %s; the CLIP tower takes [crops, 3, %s, %s]", i,
        java.util.Arrays.toString(img.pixels().shape()), s, s);
    InvalidInputException.check(img.pixels().dim(2) == s && img.pixels().dim(3) == s,
        "image %s crops are %sx%s but the vision tower takes %sx%s. Preprocess with the model's "
            + "preprocessor_config.json.", i, img.pixels().dim(2), img.pixels().dim(3), s, s);
    int need = cropsFor(img);
    InvalidInputException.check(img.crops() >= need,
        "image %s (%sx%s) has %s crops but the model needs %s", i, img.height(), img.width(), img.crops(), need);
    InvalidInputException.check(cfg.isNext() || img.crops() == 1,
        "image %s has %s crops but LLaVA-1.5 takes exactly one", i, img.crops());
    return need;
  }

  /** Validates an SAE tap against the tower; returns the hidden_states index it reads. */
  int checkTap(SaeTap tap) {
    int index = tap.checkAgainst(cfg.vision().numLayers(), cfg.vision().hiddenSize());
    InvalidInputException.check(tap.plan().isIdentity() || index <= cfg.featureHiddenIndex(),
        "an intervention at %s (hidden_states[%s]) comes after the layer LLaVA reads (hidden_states[%s]) and "
            + "cannot change the output. Hook an earlier layer.", tap.hookPoint(), index, cfg.featureHiddenIndex());
    return index;
  }

  private NDArray applyTap(NDManager m, NDArray x, SaeTap tap, List<int[]> cropOwner, List<FloatMatrix> hooked,
      List<FloatMatrix> edited) {
    return tap.apply(x, c -> cropOwner.get(c)[1], hooked, edited);
  }

  // ------------------------------------------------------------------------------------------
  // Merging and the language model

  /** Image-token positions of each row, in order. */
  private List<List<Integer>> imagePositions(long[][] ids) {
    List<List<Integer>> out = new ArrayList<>();
    for (long[] row : ids) {
      List<Integer> p = new ArrayList<>();
      for (int t = 0; t < row.length; t++) {
        if (row[t] == cfg.imageTokenIndex()) {
          p.add(t);
        }
      }
      out.add(p);
    }
    return out;
  }

  /** Embeddings {@code [B, S, d]} with the image features written at the image tokens. */
  NDArray mergedEmbeddings(NDManager m, long[][] ids, VisionFeatures vf) {
    int b = ids.length;
    int s = ids[0].length;
    int features = vf == null ? 0 : (int) vf.features().getShape().get(0);
    NDArray e = decoder.embed(m, textIds(ids, features));
    if (features == 0) {
      return e;
    }
    long d = cfg.text().hiddenSize();
    NDArray flat = e.reshape((long) b * s, d);
    NDArray source = NDArrays.concat(new NDList(flat, vf.features()), 0);
    long[] idx = new long[b * s];
    int j = 0;
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < s; t++) {
        idx[i * s + t] = ids[i][t] == cfg.imageTokenIndex() ? (long) b * s + j++ : (long) i * s + t;
      }
    }
    return source.get(new NDIndex("{}", m.create(idx))).reshape(b, s, d);
  }

  /**
   * {@code ids} with every image token replaced by id 0 (its embedding is overwritten by an image
   * feature), after checking that the images give exactly one feature per image token. Both engines.
   */
  long[][] textIds(long[][] ids, int features) {
    long[][] safe = new long[ids.length][];
    int imageTokens = 0;
    for (int i = 0; i < ids.length; i++) {
      safe[i] = ids[i].clone();
      for (int t = 0; t < safe[i].length; t++) {
        if (safe[i][t] == cfg.imageTokenIndex()) {
          safe[i][t] = 0;
          imageTokens++;
        }
      }
    }
    InvalidInputException.check(imageTokens == features,
        "input_ids hold %s image tokens (id %s) but the images give %s image features. Expand each <image> to the "
            + "image's token count (LlavaModel.imageTokenCount).", imageTokens, cfg.imageTokenIndex(), features);
    return safe;
  }

  /** {@code cumsum(mask) - 1} with padding set to 1, the rule {@code generate()} uses. */
  static long[][] positionsFromMask(int[][] mask) {
    long[][] pos = new long[mask.length][];
    for (int i = 0; i < mask.length; i++) {
      pos[i] = new long[mask[i].length];
      long c = 0;
      for (int t = 0; t < mask[i].length; t++) {
        c += mask[i][t];
        pos[i][t] = mask[i][t] == 0 ? 1 : c - 1;
      }
    }
    return pos;
  }

  private static int[][] onesMask(int b, int s) {
    int[][] mask = new int[b][s];
    for (int[] row : mask) {
      java.util.Arrays.fill(row, 1);
    }
    return mask;
  }

  /**
   * One forward pass over prompts, recording Hugging Face's outputs: {@code logits [B, S, vocab]},
   * {@code lm_hidden_states.i}, {@code attentions.i} (if asked), {@code image_features} and the
   * vision tower's {@code vision_tower.hidden_states.i}, {@code vision_tower.selected_feature},
   * {@code projected_tiles}, {@code packed_image_features}, {@code packed_feature_lens}.
   *
   * @param ids {@code [B][S]} with image tokens expanded
   * @param mask {@code [B][S]} 1 = token, 0 = left padding; null = all ones
   * @param positions {@code [B][S]}; null = derived from the mask as {@code generate()} does
   * @param images the images in the order of their image-token blocks (row by row)
   */
  public Trace forwardTrace(long[][] ids, int[][] mask, long[][] positions, List<ImageInput> images,
      boolean withAttentions) {
    try (Lifetime.Call call = lifetime.enter()) {
      if (cpu != null) {
        int[][] msk = mask == null ? onesMask(ids.length, ids[0].length) : mask;
        return cpu.forwardTrace(ids, msk, positions == null ? null : TextPositions.of(positions), images, withAttentions);
      }
      Trace out = new Trace();
      try (NDManager m = weightsManager.newSubManager()) {
        VisionFeatures vf = images.isEmpty() ? null : visionFeatures(m, images, null, out);
        NDArray x = mergedEmbeddings(m, ids, vf);
        int[][] msk = mask == null ? onesMask(ids.length, ids[0].length) : mask;
        long[][] pos = positions == null ? positionsFromMask(msk) : positions;
        KvCache cache = new KvCache(cfg.text().numLayers(), ids.length);
        NDArray h = decoder.forward(x, pos, msk, cache,
            withAttentions ? (l, p) -> out.put("attentions." + l, Nd.dense(p)) : null,
            (i, hs) -> out.put("lm_hidden_states." + i, Nd.dense(hs)));
        out.put("logits", Nd.dense(decoder.logits(h)));
      }
      return out;
    }
  }

  /**
   * {@link #forwardTrace(long[][], int[][], long[][], List, boolean)} with position ids in the family's own rows
   * (three for M-RoPE); CPU engine only.
   *
   * @param positions the positions, or null for the family's own numbering of the prompt
   */
  public Trace forwardTrace(long[][] ids, int[][] mask, List<ImageInput> images, TextPositions positions,
      boolean withAttentions) {
    try (Lifetime.Call call = lifetime.enter()) {
      InvalidInputException.check(cpu != null, "position ids in rows are for the cpu engine; load with device cpu");
      int[][] msk = mask == null ? onesMask(ids.length, ids[0].length) : mask;
      return cpu.forwardTrace(ids, msk, positions, images, withAttentions);
    }
  }

  /**
   * The position ids the model gives a batch of prompts with their images: the family's own numbering (one row
   * from the mask; Qwen2-VL's three M-RoPE rows and {@code rope_deltas}); on libtorch always the mask's.
   *
   * @param mask {@code [B][S]} 1 = token, 0 = left padding; null = all ones
   */
  public TextPositions positions(long[][] ids, int[][] mask, List<ImageInput> images) {
    try (Lifetime.Call call = lifetime.enter()) {
      int[][] msk = mask == null ? onesMask(ids.length, ids[0].length) : mask;
      return cpu == null ? TextPositions.fromMask(msk) : cpu.positions(ids, msk, images);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Generation

  /**
   * Generates from one prompt, with an optional SAE tap (read or intervene) on the vision tower and
   * optional text-to-image attention capture.
   *
   * @throws InvalidInputException if the image tokens do not match the images, the prompt exceeds
   *     the context length, or the SAE does not fit the tower
   */
  public Generation generate(GenerationRequest request) {
    try (Lifetime.Call call = lifetime.enter()) {
      if (cpu != null) {
        return cpu.generate(request, null, null);
      }
      return new GenerationRun(this, decoder, request).run();
    }
  }

  /**
   * Greedy batch generation as {@code generate(do_sample=False)} with left padding: records {@code
   * generated_ids [B, S + steps]} and {@code generated_step_logits [steps, B, vocab]}. Finished rows
   * are padded with the pad id.
   */
  public Trace generateBatch(long[][] ids, int[][] mask, List<ImageInput> images, int maxNewTokens,
      java.util.Set<Integer> stopTokens) {
    try (Lifetime.Call call = lifetime.enter()) {
      if (cpu != null) {
        return cpu.batchGreedy(ids, mask, images, maxNewTokens, stopTokens);
      }
      return GenerationRun.batchGreedy(this, decoder, ids, mask, images, maxNewTokens, stopTokens);
    }
  }

  /** {@link #generate} that also records {@code image_features}, {@code attn.gen_producing_rows} and {@code full.attn_mean} into {@code trace}; for parity checks. */
  public Generation generate(GenerationRequest request, Trace trace) {
    try (Lifetime.Call call = lifetime.enter()) {
      if (cpu != null) {
        return cpu.generate(request, null, trace);
      }
      return new GenerationRun(this, decoder, request).recordingInto(trace).run();
    }
  }

  /**
   * Builds what regenerations of {@code request} under other interventions can reuse: the stream at
   * the request's SAE hook per crop and the keys/values of the text before the first image token.
   *
   * @throws InvalidInputException if the request has no SAE tap or does not fit the model
   */
  public PromptCache cacheFor(GenerationRequest request) {
    try (Lifetime.Call call = lifetime.enter()) {
      InvalidInputException.check(request.sae() != null, "a prompt cache needs the request's SAE tap (withSae)");
      if (cpu != null) {
        return cpu.buildCache(request);
      }
      return new GenerationRun(this, decoder, request).buildCache();
    }
  }

  /**
   * {@link #generate(GenerationRequest)} reusing {@code cache}: the vision layers before the hook
   * and the language model over the text before the first image token are not run again. Same
   * tokens as a fresh run; logits equal up to float rounding of the shorter prefill.
   *
   * @throws InvalidInputException if the cache was built for another prompt, images or hook
   */
  public Generation generate(GenerationRequest request, PromptCache cache) {
    try (Lifetime.Call call = lifetime.enter()) {
      cache.checkFits(request, cpu != null ? cpu : this);
      if (cpu != null) {
        return cpu.generate(request, cache, null);
      }
      return new GenerationRun(this, decoder, request).reusing(cache).run();
    }
  }

  /**
   * A generation that also hands back what regenerations of the same prompt and images can reuse.
   * On the CPU engine the {@link PromptCache} comes from this very run (no extra work), and {@code
   * reuse} (built for the same prompt and images, or null) skips the vision layers up to the hook and
   * the text before the first image token. On libtorch no cache is handed back (building one would take
   * a second vision pass; use {@link #cacheFor} explicitly), but a given {@code reuse} is used.
   *
   * @param reuse a cache from an earlier run of this prompt and image, or null
   */
  public Reusing generateReusing(GenerationRequest request, PromptCache reuse) {
    try (Lifetime.Call call = lifetime.enter()) {
      if (reuse != null) {
        reuse.checkFits(request, cpu != null ? cpu : this);
      }
      if (cpu != null) {
        PromptCache[] built = new PromptCache[1];
        Generation g = cpu.generate(request, reuse, null, built);
        return new Reusing(g, built[0]);
      }
      if (reuse != null) {
        return new Reusing(generate(request, reuse), reuse);
      }
      return new Reusing(generate(request), null);
    }
  }

  /**
   * A generation and the prompt cache later calls can reuse.
   *
   * @param generation the result
   * @param cache for regenerations of the same prompt and images, or null (no SAE tap, or libtorch)
   */
  public record Reusing(Generation generation, PromptCache cache) {}

  /**
   * Work the CPU engine has done since load: {@code [vision encoder layers run, language-model positions
   * run]} ({@code [0, 0]} on libtorch). Shows what reuse saves.
   */
  public long[] workDone() {
    return cpu == null ? new long[2] : new long[] {cpu.visionLayersRun.sum(), cpu.lmPositionsRun.sum()};
  }

  NDManager newScope() {
    return weightsManager.newSubManager();
  }

  // ------------------------------------------------------------------------------------------
  // VisionEncoder

  @Override
  public int numLayers() {
    return cfg.vision().numLayers();
  }

  @Override
  public int hiddenSize() {
    return cfg.vision().hiddenSize();
  }

  @Override
  public int imageSize() {
    return cfg.vision().imageSize();
  }

  @Override
  public int patchSize() {
    return cfg.vision().patchSize();
  }

  /** Whether the tower's crops start with CLS (CLIP) or not (SigLIP). */
  @Override
  public boolean hasClsToken() {
    return cfg.vision().hasClsToken();
  }

  /**
   * The residual stream at {@code hook} for every crop of {@code image}, preprocessed as the checkpoint
   * says ({@code preprocessor_config.json} of its folder, through its family's processor; read once, on
   * first use). Nothing is installed or mutated: concurrent callers share the immutable processor.
   *
   * @throws org.visualscratchpad.CheckpointFormatException if the folder has no readable {@code
   *     preprocessor_config.json} (then preprocess yourself and call {@link #residualStream(ImageInput,
   *     HookPoint)})
   */
  @Override
  public List<FloatMatrix> residualStream(BufferedImage image, HookPoint hook) {
    lifetime.checkOpen();
    InvalidInputException.check(image != null, "image must not be null");
    return residualStream(preprocessor().apply(image), hook);
  }

  /** The folder's own image preprocessing; idempotent, so a race only reads the same file twice. */
  private Function<BufferedImage, ImageInput> preprocessor() {
    Function<BufferedImage, ImageInput> p = preprocessor;
    if (p == null) {
      ImagePreprocessor processor = ImagePreprocessor.forCheckpoint(folder);
      p = image -> ImageInput.from(processor.preprocess(ImageDecoder.toRgb(image)));
      preprocessor = p;
    }
    return p;
  }

  /**
   * The vision tower's residual stream at {@code hook} for every crop the model uses, {@code
   * [tokensPerCrop x d]} each (row 0 = CLS where the tower has one).
   *
   * @throws InvalidInputException if the hook is not a vision hook inside the tower
   */
  public List<FloatMatrix> residualStream(ImageInput image, HookPoint hook) {
    try (Lifetime.Call call = lifetime.enter()) {
      if (cpu != null) {
        return cpu.residualStream(image, hook, checkHook(hook));
      }
      int index = checkHook(hook);
      int need = checkedCrops(0, image);
      int s = cfg.vision().imageSize();
      InvalidInputException.check(image.pixels().dim(2) == s, "crops must be %sx%s", s, s);
      try (NDManager m = weightsManager.newSubManager()) {
        return vision.hiddenStates(Nd.create(m, image.pixels().range(0, need)), index);
      }
    }
  }

  /** The hidden_states index of a vision hook, checked against the tower (see ClipVisionTower#checkHook). */
  private int checkHook(HookPoint hook) {
    return HookPoint.checkedVisionIndex(hook, cfg.vision().numLayers(), "");
  }

  /** Whether this model runs on the project's CPU engine (else on libtorch through DJL). */
  public boolean onCpuEngine() {
    return cpu != null;
  }

  /** Bytes of weights the model holds (the CPU engine's packed weights; 0 on libtorch, where they are native). */
  public long weightBytes() {
    return cpu == null ? 0 : cpu.bytes();
  }

  /**
   * Refuses new calls at once, waits for the calls in flight, then frees the weights (native memory
   * on libtorch; the CPU engine's heap arrays go with the model). Never throws; later calls fail with
   * {@code "LlavaModel <folder> is closed; load it again"}. Called from inside one of this model's
   * own calls, it does not wait: the weights are freed when that call returns. A model dropped
   * without {@code close()} has its native weights freed once unreachable (a {@link
   * java.lang.ref.Cleaner}).
   */
  @Override
  public void close() {
    lifetime.close();
  }

  @Override
  public String toString() {
    return "LlavaModel[" + cfg.modelType() + " " + folder + (cpu != null ? ", cpu engine" : ", libtorch") + ", vision " + cfg.vision().numLayers() + "x"
        + cfg.vision().hiddenSize() + ", " + cfg.text().modelType() + " " + cfg.text().numLayers() + "x"
        + cfg.text().hiddenSize() + "]";
  }

  // package-private accessors for GenerationRun
  List<List<Integer>> imagePositionsOf(long[][] ids) {
    return imagePositions(ids);
  }
}
