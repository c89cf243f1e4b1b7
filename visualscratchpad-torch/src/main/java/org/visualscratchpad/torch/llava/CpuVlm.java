package org.visualscratchpad.torch.llava;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.attention.AttentionConvention;
import org.visualscratchpad.attention.AttentionTap;
import org.visualscratchpad.attention.TextImageAttention;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.checkpoint.Weights;
import org.visualscratchpad.torch.cpu.CpuKvCache;
import org.visualscratchpad.torch.cpu.CpuLlama;
import org.visualscratchpad.torch.cpu.CpuVisionTower;
import org.visualscratchpad.torch.cpu.CpuWeights;
import org.visualscratchpad.torch.cpu.PackedWeight;
import org.visualscratchpad.torch.cpu.VisionStream;
import org.visualscratchpad.torch.family.CpuFamilyModel;
import org.visualscratchpad.torch.family.ImageFeatures;
import org.visualscratchpad.torch.family.TextPositions;
import org.visualscratchpad.torch.family.VlmConfig;
import org.visualscratchpad.torch.family.VlmFamily;
import org.visualscratchpad.torch.trace.DenseTensor;
import org.visualscratchpad.torch.trace.Trace;

/**
 * Any registered family on the CPU engine: the family's parts ({@link CpuFamilyModel}: tower, projector and
 * packing, language model, positions) driven by one runner that does what is the same for every family: the
 * vision tower layer by layer with the SAE tap after the hook layer, the merge of the image features into the
 * prompt, prefill and KV-cached decoding with the attention probabilities reduced to what the capture needs as
 * they are computed, reuse of a {@link PromptCache}, and reference traces. Weights are in their stored precision
 * (or the one asked for) on the Java heap, compute is float32, memory bounded per layer. {@link LlavaModel}
 * delegates here when the device is {@code cpu}. Thread-safe for concurrent calls.
 */
final class CpuVlm {
  private final LlavaModel model;
  private final VlmConfig cfg;
  private final CpuFamilyModel parts;
  private final CpuVisionTower vision;
  private final CpuLlama decoder;
  private final long bytes;
  /** Vision encoder layers run and language-model positions run, since load (for tests of reuse). */
  final java.util.concurrent.atomic.LongAdder visionLayersRun = new java.util.concurrent.atomic.LongAdder();
  final java.util.concurrent.atomic.LongAdder lmPositionsRun = new java.util.concurrent.atomic.LongAdder();
  /** Per-thread timing of the vision call in progress. */
  private static final ThreadLocal<long[]> VISION_CLOCK = ThreadLocal.withInitial(() -> new long[5]);

  CpuVlm(LlavaModel model, VlmFamily family, VlmConfig cfg, Weights w, PackedWeight.Storage as) {
    this.model = model;
    this.cfg = cfg;
    LoadProgress listener = LoadProgress.current();
    long[] total = {0};
    CpuWeights cw = new CpuWeights(w, as, listener == null ? null : done -> listener.loaded(done, total[0]));
    total[0] = cw.totalBytes();
    parts = family.loadCpu(cfg, cw);
    vision = parts.vision();
    decoder = parts.language();
    bytes = parts.bytes();
    cw.finish();
  }

  /** Bytes of weights held. */
  long bytes() {
    return bytes;
  }

  CpuLlama decoder() {
    return decoder;
  }

  /** The family's position ids of a batch of prompts. */
  TextPositions positions(long[][] ids, int[][] mask, List<ImageInput> images) {
    return parts.positions(ids, mask, images);
  }

  /** Crops of {@code image} the model uses, checked against the tower. */
  int checkedCrops(int index, ImageInput image) {
    return parts.checkedCrops(index, image);
  }

  // ------------------------------------------------------------------------------------------
  // Vision

  /** Image features of one call, with the SAE streams. */
  record Features(ImageFeatures packed, List<FloatMatrix> hooked, List<FloatMatrix> edited) {
    float[] features() {
      return packed.features();
    }

    int count() {
      return packed.count();
    }

    boolean[] noPatch() {
      return packed.noPatch();
    }
  }

  Features visionFeatures(List<ImageInput> images, SaeTap tap, Trace trace, List<FloatMatrix> start) {
    int[] crops = new int[images.size()];
    int n = 0;
    for (int i = 0; i < images.size(); i++) {
      crops[i] = parts.checkedCrops(i, images.get(i));
      n += crops[i];
    }
    int featureIndex = cfg.featureHiddenIndex();
    int hookIndex = tap == null ? -1 : checkTap(tap);
    int lastLayer = trace != null ? vision.loadedLayers() : Math.max(featureIndex, hookIndex);
    InvalidInputException.check(lastLayer <= vision.loadedLayers(),
        "the model reads hidden_states[%s] but this checkpoint holds only %s vision layers", lastLayer,
        vision.loadedLayers());
    boolean cls = vision.hasClsToken();
    List<FloatMatrix> hooked = new ArrayList<>();
    List<FloatMatrix> edited = new ArrayList<>();
    VisionStream x;
    int firstLayer = 0;
    if (start != null && hookIndex >= 0 && hookIndex <= featureIndex && trace == null) {
      x = parts.resume(start, images, crops, vision.hiddenSize());
      firstLayer = hookIndex;
    } else {
      x = parts.embed(images, crops);
    }
    boolean uniform = x.uniform();
    long[] streamShape = uniform ? new long[] {x.crops(), x.rows(0), x.width()} : new long[] {x.totalRows(), x.width()};
    if (trace != null) {
      trace.put("vision_tower.hidden_states.0", DenseTensor.adopt(streamShape, x.data().clone()));
    }
    VisionStream feature = null;
    long[] clock = VISION_CLOCK.get();
    long tapStart = System.nanoTime();
    if (hookIndex == firstLayer) {
      tap.apply(x, cls, hooked, edited);
    }
    clock[1] = System.nanoTime() - tapStart;
    clock[2] = lastLayer - firstLayer;
    clock[3] = x.totalRows();   // the stream's rows and the sum of its crops' squared rows (attention), for FLOPs
    clock[4] = 0;
    for (int c = 0; c < x.crops(); c++) {
      clock[4] += (long) x.rows(c) * x.rows(c);
    }
    if (featureIndex == firstLayer) {
      feature = firstLayer == lastLayer ? x : x.copy();
    }
    for (int l = firstLayer; l < lastLayer; l++) {
      float[][] attn = trace != null && uniform ? new float[1][] : null;
      int heads = cfg.vision().numHeads();
      CpuVisionTower.AttentionSink sink = attn == null ? null : attentionSink(attn, x.crops(), heads, x.rows(0));
      vision.layer(l, x, sink);
      visionLayersRun.increment();
      if (attn != null) {
        int t = x.rows(0);
        trace.put("vision_tower.attentions." + l, DenseTensor.adopt(new long[] {x.crops(), heads, t, t}, attn[0]));
      }
      if (l + 1 == hookIndex) {
        long t0 = System.nanoTime();
        tap.apply(x, cls, hooked, edited);
        clock[1] += System.nanoTime() - t0;
      }
      if (l + 1 == featureIndex) {
        feature = l + 1 == lastLayer ? x : x.copy();   // later layers (a trace) would change x in place
      }
      if (trace != null) {
        trace.put("vision_tower.hidden_states." + (l + 1), DenseTensor.adopt(streamShape, x.data().clone()));
      }
    }
    if (trace != null && lastLayer == vision.numLayers()) {
      float[] post = vision.postLayerNorm(x);
      if (post != null) {
        trace.put("vision_tower.post_layernorm_output", DenseTensor.adopt(streamShape, post));
      }
    }
    ImageFeatures packed = parts.features(feature, images, trace);
    return new Features(packed, hooked, edited);
  }

  /** A sink that fills {@code attn[0]} as {@code [crops, heads, t, t]}. */
  private static CpuVisionTower.AttentionSink attentionSink(float[][] attn, int crops, int heads, int t) {
    attn[0] = new float[crops * heads * t * t];
    return (crop, head, q0, rows, keys, probs) ->
        System.arraycopy(probs, 0, attn[0], ((crop * heads + head) * t + q0) * keys, rows * keys);
  }

  private int checkTap(SaeTap tap) {
    int index = model.checkTap(tap);
    InvalidInputException.check(index <= vision.loadedLayers(),
        "hook %s reads hidden_states[%s] but this checkpoint holds only %s vision layers", tap.hookPoint(), index,
        vision.loadedLayers());
    return index;
  }

  /** The vision stream at {@code hook} per crop, {@code [tokens x d]} each (row 0 = CLS where the tower has one). */
  List<FloatMatrix> residualStream(ImageInput image, HookPoint hook, int index) {
    InvalidInputException.check(index <= vision.loadedLayers(),
        "hook %s reads hidden_states[%s] but this checkpoint holds only %s vision layers", hook, index,
        vision.loadedLayers());
    int need = parts.checkedCrops(0, image);
    VisionStream x = parts.embed(List.of(image), new int[] {need});
    for (int l = 0; l < index; l++) {
      vision.layer(l, x, null);
    }
    List<FloatMatrix> out = new ArrayList<>();
    for (int c = 0; c < x.crops(); c++) {
      out.add(x.crop(c));
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // The language model

  /** Embeddings {@code [B, S, d]} with the image features written at the image tokens. */
  float[] mergedEmbeddings(long[][] ids, Features vf) {
    int b = ids.length;
    int s = ids[0].length;
    float[] e = decoder.embed(model.textIds(ids, vf == null ? 0 : vf.count()));
    int d = cfg.text().hiddenSize();
    int j = 0;
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < s; t++) {
        if (ids[i][t] == cfg.imageTokenIndex()) {
          System.arraycopy(vf.features(), j++ * d, e, (i * s + t) * d, d);
        }
      }
    }
    return e;
  }

  Trace forwardTrace(long[][] ids, int[][] msk, TextPositions explicit, List<ImageInput> images,
      boolean withAttentions) {
    Trace out = new Trace();
    Features vf = images.isEmpty() ? null : visionFeatures(images, null, out, null);
    float[] x = mergedEmbeddings(ids, vf);
    int b = ids.length;
    int s = ids[0].length;
    TextPositions pos = explicit != null ? explicit : parts.positions(ids, msk, images);
    int heads = cfg.text().numHeads();
    int layers = cfg.text().numLayers();
    CpuKvCache cache = new CpuKvCache(layers, b, s, cfg.text().numKeyValueHeads() * cfg.text().headDim());
    float[][] attn = withAttentions ? new float[layers][] : null;
    CpuLlama.LayerSink sink = !withAttentions ? null : new CpuLlama.LayerSink() {
      @Override
      public boolean wants(int layer) {
        return true;
      }

      @Override
      public void accept(int layer, int row, int head, int q0, int rows, int keys, float[] probs) {
        synchronized (attn) {
          if (attn[layer] == null) {
            attn[layer] = new float[b * heads * s * keys];
          }
        }
        System.arraycopy(probs, 0, attn[layer], ((row * heads + head) * s + q0) * keys, rows * keys);
      }
    };
    int d = cfg.text().hiddenSize();
    float[] h = decoder.forward(x, b, s, pos.ids(), msk, cache, sink,
        (i, hs) -> out.put("lm_hidden_states." + i, DenseTensor.adopt(new long[] {b, s, d}, hs)));
    if (withAttentions) {
      for (int l = 0; l < layers; l++) {
        out.put("attentions." + l, DenseTensor.adopt(new long[] {b, heads, s, s}, attn[l]));
      }
    }
    int vocab = cfg.text().vocabSize();
    out.put("logits", DenseTensor.adopt(new long[] {b, s, vocab}, decoder.logits(h, 0, b * s)));
    return out;
  }

  /** Batch greedy generation with left padding, recorded as {@code generate()} returns it. */
  Trace batchGreedy(long[][] ids, int[][] mask, List<ImageInput> images, int maxNew, Set<Integer> stop) {
    int b = ids.length;
    int s = ids[0].length;
    int vocab = cfg.text().vocabSize();
    int pad = Math.max(cfg.padTokenId(), 0);
    long[][] out = new long[b][s + maxNew];
    for (int i = 0; i < b; i++) {
      System.arraycopy(ids[i], 0, out[i], 0, s);
    }
    float[] stepLogits = new float[maxNew * b * vocab];
    int steps = 0;
    Features vf = images.isEmpty() ? null : visionFeatures(images, null, null, null);
    float[] x = mergedEmbeddings(ids, vf);
    TextPositions pos = parts.positions(ids, mask, images);
    CpuKvCache cache = new CpuKvCache(cfg.text().numLayers(), b, s + maxNew,
        cfg.text().numKeyValueHeads() * cfg.text().headDim());
    float[] h = decoder.forward(x, b, s, pos.ids(), mask, cache, null, null);
    float[] logits = lastRows(h, b, s);
    boolean[] done = new boolean[b];
    for (int t = 0; t < maxNew; t++) {
      System.arraycopy(logits, 0, stepLogits, t * b * vocab, b * vocab);
      steps++;
      long[][] tok = new long[b][1];
      boolean allDone = true;
      for (int i = 0; i < b; i++) {
        int chosen = GenerationRun.choose(Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab), Sampling.greedy(),
            null);
        tok[i][0] = done[i] ? pad : chosen;
        out[i][s + t] = tok[i][0];
        if (!done[i] && stop.contains(chosen)) {
          done[i] = true;
        }
        allDone &= done[i];
      }
      if (allDone || t == maxNew - 1) {
        break;
      }
      int[][] one = new int[b][1];
      for (int i = 0; i < b; i++) {
        one[i][0] = 1;
      }
      h = decoder.forward(decoder.embed(tok), b, 1, pos.step(s + t), one, cache, null, null);
      logits = decoder.logits(h, 0, b);
    }
    float[] gen = new float[b * (s + steps)];
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < s + steps; t++) {
        gen[i * (s + steps) + t] = out[i][t];
      }
    }
    return new Trace()
        .put("generated_ids", DenseTensor.adopt(new long[] {b, s + steps}, gen))
        .put("generated_step_logits", DenseTensor.adopt(new long[] {steps, b, vocab},
            Arrays.copyOf(stepLogits, steps * b * vocab)));
  }

  /** Logits of the last position of each of {@code b} rows of {@code h [b, s, d]}. */
  private float[] lastRows(float[] h, int b, int s) {
    int d = cfg.text().hiddenSize();
    float[] last = new float[b * d];
    for (int i = 0; i < b; i++) {
      System.arraycopy(h, ((i + 1) * s - 1) * d, last, i * d, d);
    }
    return decoder.logits(last, 0, b);
  }

  // ------------------------------------------------------------------------------------------
  // Generation

  /** Which layers and heads an attention tap averages over. */
  private static final class Selection {
    final boolean[] layerOn;
    final boolean[] headOn;
    final float weight;   // 1 / (layers * heads)

    Selection(AttentionTap tap, int layers, int numHeads) {
      layerOn = GenerationRun.tappedLayers(tap, layers);
      headOn = GenerationRun.tappedHeads(tap, numHeads);
      weight = 1f / ((float) GenerationRun.count(layerOn) * GenerationRun.count(headOn));
    }
  }

  /** The position ids of a one-row prompt with its images. */
  private TextPositions promptPositions(long[] ids, List<ImageInput> images) {
    return parts.positions(new long[][] {ids}, new int[][] {GenerationRun.ones(ids.length)}, images);
  }

  /** Builds what regenerations can reuse: the stream at the hook and the text prefix's keys and values. */
  PromptCache buildCache(GenerationRequest req) {
    List<Integer> prompt = req.inputIds();
    long[] ids = prompt.stream().mapToLong(Integer::longValue).toArray();
    int f = firstImagePosition(ids);
    Features vf = req.images().isEmpty() ? null : visionFeatures(req.images(), SaeTap.read(req.sae().sae()), null,
        null);
    List<FloatMatrix> streams = vf == null ? List.of() : vf.hooked();
    List<float[]> keys = new ArrayList<>();
    List<float[]> values = new ArrayList<>();
    if (f > 0) {
      int kvd = cfg.text().numKeyValueHeads() * cfg.text().headDim();
      CpuKvCache cache = new CpuKvCache(cfg.text().numLayers(), 1, f, kvd);
      TextPositions pos = promptPositions(ids, req.images());
      decoder.forward(decoder.embed(new long[][] {Arrays.copyOf(ids, f)}), 1, f, pos.columns(0, f),
          new int[][] {GenerationRun.ones(f)}, cache, null, null);
      for (int l = 0; l < cfg.text().numLayers(); l++) {
        keys.add(Arrays.copyOf(cache.keys[l], f * kvd));
        values.add(Arrays.copyOf(cache.values[l], f * kvd));
      }
    }
    return new PromptCache(prompt, req.images(), req.sae().hookPoint(), streams, f, keys, values, this);
  }

  /**
   * Refuses a request whose working memory (KV cache, the language model's and the vision tower's per-layer
   * buffers for this prompt's tokens) cannot fit in the heap the weights leave, before any work: the load-time
   * pre-flight budgets a typical image, and a family whose token count grows with the image (Qwen2-VL) can be
   * handed a much larger one. The vision rows are bounded by four per image token (Qwen2-VL merges 2x2 patches).
   */
  private void checkHeadroom(List<Integer> prompt, int maxNewTokens) {
    long imageTokens = prompt.stream().filter(t -> t == cfg.imageTokenIndex()).count();
    long tokens = prompt.size() + (long) Math.max(maxNewTokens, 1);
    var l = cfg.text();
    var v = cfg.vision();
    long kvd = (long) l.numKeyValueHeads() * l.headDim();
    long qd = (long) l.numHeads() * l.headDim();
    long kv = 2L * 4L * l.numLayers() * tokens * kvd;
    long lm = 4L * tokens * (4L * l.hiddenSize() + 2 * qd + 2 * kvd + 2L * l.intermediateSize());
    long vision = 4L * 4L * imageTokens * (6L * v.hiddenSize() + v.intermediateSize());
    long need = kv + Math.max(lm, vision);
    Runtime rt = Runtime.getRuntime();
    long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    if (need <= free) {
      return;
    }
    System.gc();   // what is in use may be garbage; look once more before refusing
    free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    if (need > free) {
      throw new InvalidInputException(String.format(java.util.Locale.ROOT,
          "this request does not fit in the heap beside the weights: %d prompt tokens (%d of them image tokens) and "
              + "%d new tokens need about %.1f GiB of working memory, %.1f GiB is free (heap limit %.1f GiB). Use a "
              + "smaller image (or a lower max_pixels in the model's preprocessor_config.json), fewer new tokens, or "
              + "a larger heap (-Xmx; bin/vsp: VSP_JAVA_OPTS).", prompt.size(), imageTokens, maxNewTokens,
          need / 1073741824.0, free / 1073741824.0, rt.maxMemory() / 1073741824.0));
    }
  }

  Generation generate(GenerationRequest req, PromptCache reuse, Trace debug) {
    return generate(req, reuse, debug, null);
  }

  /**
   * One generation; with {@code built} non-null and an SAE tap on the request, {@code built[0]} receives
   * what regenerations of this prompt and image can reuse (the unedited stream at the hook, the keys and
   * values of the text before the first image token), taken from this run at no extra cost.
   */
  Generation generate(GenerationRequest req, PromptCache reuse, Trace debug, PromptCache[] built) {
    List<Integer> prompt = req.inputIds();
    long[][] ids = {prompt.stream().mapToLong(Integer::longValue).toArray()};
    int p = prompt.size();
    int maxPos = cfg.text().maxPositionEmbeddings();
    InvalidInputException.check(p <= maxPos,
        "prompt length (%s tokens) must be at most the context length max_position_embeddings (%s). Shorten the "
            + "prompt or use a smaller image.", p, maxPos);
    checkHeadroom(prompt, req.maxNewTokens());
    int layers = cfg.text().numLayers();
    AttentionTap tap = req.attention();
    Selection sel = tap == null ? null : new Selection(tap, layers, cfg.text().numHeads());
    long visionStart = System.nanoTime();
    Features vf = req.images().isEmpty() ? null
        : visionFeatures(req.images(), req.sae(), null, reuse == null ? null : reuse.streams());
    long visionNanos = System.nanoTime() - visionStart;
    long[] clock = VISION_CLOCK.get();
    int visionLayers = vf == null ? 0 : (int) clock[2];
    long tapNanos = vf == null ? 0 : clock[1];
    int crops = vf == null ? 0 : vf.hooked().isEmpty() ? cropCount(req.images()) : vf.hooked().size();
    List<FloatMatrix> hooked = vf == null ? List.of() : vf.hooked();
    List<FloatMatrix> edited = vf == null ? List.of() : vf.edited();
    if (debug != null && vf != null) {
      debug.put("image_features", DenseTensor.adopt(new long[] {vf.count(), cfg.text().hiddenSize()},
          vf.features().clone()));
    }
    float[] x = mergedEmbeddings(ids, vf);
    TextPositions pos = promptPositions(ids[0], req.images());
    List<Integer> imagePos = new ArrayList<>();
    int seen = 0;
    for (int t = 0; t < p; t++) {
      if (ids[0][t] == cfg.imageTokenIndex()) {
        if (!vf.noPatch()[seen]) {
          imagePos.add(t);
        }
        seen++;
      }
    }
    int[] imgIdx = imagePos.stream().mapToInt(Integer::intValue).toArray();
    int nImg = imgIdx.length;
    int maxSteps = Math.min(req.maxNewTokens(), maxPos - p + 1);
    float[][] producing = new float[Math.max(maxSteps, 0)][];
    float[][] promptAcc = sel == null || !(req.promptAttention() || debug != null) ? null : new float[p][nImg];
    int kvd = cfg.text().numKeyValueHeads() * cfg.text().headDim();
    CpuKvCache cache = new CpuKvCache(layers, 1, p + Math.max(maxSteps, 1), kvd);
    SplittableRandom rng = req.sampling() instanceof Sampling.TopP tp ? new SplittableRandom(tp.seed()) : null;
    final int f = reuse == null ? 0 : Math.min(reuse.prefixLength(), p - 1);
    if (f > 0) {
      for (int l = 0; l < layers; l++) {
        System.arraycopy(reuse.keys().get(l), 0, cache.keys[l], 0, f * kvd);
        System.arraycopy(reuse.values().get(l), 0, cache.values[l], 0, f * kvd);
      }
      int[][] ones = {GenerationRun.ones(f)};
      cache.append(ones);
    }
    final int rows = p - f;
    if (maxSteps > 0) {
      producing[0] = sel == null ? null : new float[p];
    }
    CpuLlama.LayerSink prefillSink = sel == null ? null : new CpuLlama.LayerSink() {
      @Override
      public boolean wants(int layer) {
        return sel.layerOn[layer];
      }

      @Override
      public void accept(int layer, int row, int head, int q0, int n, int keys, float[] probs) {
        if (!sel.headOn[head]) {
          return;
        }
        float w = sel.weight;
        for (int r = 0; r < n; r++) {
          int q = q0 + r;
          int base = r * keys;
          if (promptAcc != null) {
            float[] acc = promptAcc[f + q];
            for (int k = 0; k < nImg; k++) {
              acc[k] += probs[base + imgIdx[k]] * w;
            }
          }
          if (q == rows - 1 && producing.length > 0) {
            float[] last = producing[0];
            for (int k = 0; k < keys; k++) {
              last[k] += probs[base + k] * w;
            }
          }
        }
      }
    };
    float[] xs = f == 0 ? x : Arrays.copyOfRange(x, f * cfg.text().hiddenSize(), x.length);
    long prefillStart = System.nanoTime();
    float[] h = decoder.forward(xs, 1, rows, pos.columns(f, p), new int[][] {GenerationRun.ones(rows)}, cache,
        prefillSink, null);
    lmPositionsRun.add(rows);
    float[] logits = decoder.logits(h, rows - 1, 1);
    long prefillNanos = System.nanoTime() - prefillStart;
    if (built != null && req.sae() != null) {
      int prefix = firstImagePosition(ids[0]);
      List<float[]> keys = new ArrayList<>();
      List<float[]> values = new ArrayList<>();
      for (int l = 0; l < layers && prefix > 0; l++) {
        keys.add(Arrays.copyOf(cache.keys[l], prefix * kvd));
        values.add(Arrays.copyOf(cache.values[l], prefix * kvd));
      }
      built[0] = reuse != null ? reuse : new PromptCache(prompt, req.images(), req.sae().hookPoint(),
          vf == null ? List.of() : vf.hooked(), prefix, keys, values, this);
    }
    long decodeStart = System.nanoTime();
    int decodeSteps = 0;
    List<Integer> newTokens = new ArrayList<>();
    List<float[]> logitRows = new ArrayList<>();
    StopReason reason = StopReason.MAX_NEW_TOKENS;
    long nextPos = p;
    for (int t = 0; t < maxSteps; t++) {
      if (req.stepLogits()) {
        logitRows.add(logits);
      }
      int token = GenerationRun.choose(logits, req.sampling(), rng);
      newTokens.add(token);
      StopReason stop = GenerationRun.stopAfter(req, token, t, maxSteps, nextPos, maxPos);
      if (stop != null) {
        reason = stop;
        break;
      }
      final int step = t + 1;
      CpuLlama.LayerSink stepSink = null;
      if (sel != null) {
        producing[step] = new float[(int) nextPos + 1];
        stepSink = new CpuLlama.LayerSink() {
          @Override
          public boolean wants(int layer) {
            return sel.layerOn[layer];
          }

          @Override
          public void accept(int layer, int row, int head, int q0, int n, int keys, float[] probs) {
            if (sel.headOn[head]) {
              float[] acc = producing[step];
              for (int k = 0; k < keys; k++) {
                acc[k] += probs[k] * sel.weight;
              }
            }
          }
        };
      }
      h = decoder.forward(decoder.embed(new long[][] {{token}}), 1, 1, pos.step(nextPos), new int[][] {{1}},
          cache, stepSink, null);
      lmPositionsRun.increment();
      logits = decoder.logits(h, 0, 1);
      nextPos++;
      decodeSteps++;
    }
    long decodeNanos = System.nanoTime() - decodeStart;
    TextImageAttention own = null;
    if (tap != null && tap.convention() == AttentionConvention.OWN_POSITION) {
      own = ownPosition(vf, prompt, newTokens, imgIdx, sel, debug, req.images());
    }
    GenerationTimings timings = new GenerationTimings(visionNanos, visionLayers,
        CpuFlops.vision(cfg, crops, visionLayers, vf == null ? 0 : clock[3], vf == null ? 0 : clock[4]), tapNanos, prefillNanos, rows, CpuFlops.prefill(cfg.text(), f, rows),
        decodeNanos, decodeSteps, CpuFlops.decodeWeightBytes(decoder));
    return GenerationRun.assemble(req, prompt, newTokens, logitRows, hooked, edited, producing, promptAcc, own,
        imagePos, reason, debug, cfg.text().vocabSize()).withTimings(timings);
  }

  private int firstImagePosition(long[] ids) {
    for (int t = 0; t < ids.length; t++) {
      if (ids[t] == cfg.imageTokenIndex()) {
        return t;
      }
    }
    return 0;
  }

  private int cropCount(List<ImageInput> images) {
    int n = 0;
    for (int i = 0; i < images.size(); i++) {
      n += parts.checkedCrops(i, images.get(i));
    }
    return n;
  }

  /** Own-position rows of the new tokens: one extra forward over prompt + new tokens. */
  private TextImageAttention ownPosition(Features vf, List<Integer> prompt, List<Integer> newTokens, int[] imgIdx,
      Selection sel, Trace debug, List<ImageInput> images) {
    int p = prompt.size();
    int n = newTokens.size();
    int total = p + n;
    int nImg = imgIdx.length;
    long[][] ids = new long[1][total];
    for (int i = 0; i < p; i++) {
      ids[0][i] = prompt.get(i);
    }
    for (int t = 0; t < n; t++) {
      ids[0][p + t] = newTokens.get(t);
    }
    float[] w = new float[n * nImg];
    float[] full = debug != null ? new float[total * total] : null;
    float[] x = mergedEmbeddings(ids, vf);
    CpuKvCache cache = new CpuKvCache(cfg.text().numLayers(), 1, total,
        cfg.text().numKeyValueHeads() * cfg.text().headDim());
    decoder.forward(x, 1, total, promptPositions(ids[0], images).ids(), new int[][] {GenerationRun.ones(total)},
        cache, new CpuLlama.LayerSink() {
          @Override
          public boolean wants(int layer) {
            return sel.layerOn[layer];
          }

          @Override
          public void accept(int layer, int row, int head, int q0, int rows, int keys, float[] probs) {
            if (!sel.headOn[head]) {
              return;
            }
            for (int r = 0; r < rows; r++) {
              int q = q0 + r;
              if (full != null) {
                for (int k = 0; k < keys; k++) {
                  full[q * total + k] += probs[r * keys + k] * sel.weight;
                }
              }
              if (q >= p) {
                for (int k = 0; k < nImg; k++) {
                  w[(q - p) * nImg + k] += probs[r * keys + imgIdx[k]] * sel.weight;
                }
              }
            }
          }
        }, null);
    if (full != null) {
      debug.put("full.attn_mean", DenseTensor.adopt(new long[] {total, total}, full));
    }
    List<Integer> positions = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      positions.add(p + t);
    }
    return new TextImageAttention(AttentionConvention.OWN_POSITION, GenerationRun.labels(newTokens), positions,
        FloatMatrix.adopt(n, nImg, w));
  }
}
