package org.visualscratchpad.torch.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.attention.AttentionConvention;
import org.visualscratchpad.attention.AttentionTap;
import org.visualscratchpad.attention.TextImageAttention;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.llama.KvCache;
import org.visualscratchpad.torch.llama.LlamaDecoder;
import org.visualscratchpad.torch.trace.DenseTensor;
import org.visualscratchpad.torch.trace.Trace;

/** One call of {@link LlavaModel#generate}: prefill, KV-cached decoding, attention accumulation. */
final class GenerationRun {
  private final LlavaModel model;
  private final LlamaDecoder decoder;
  private final GenerationRequest req;
  private Trace debug;
  private PromptCache reuse;

  GenerationRun(LlavaModel model, LlamaDecoder decoder, GenerationRequest req) {
    this.model = model;
    this.decoder = decoder;
    this.req = req;
  }

  /** Also record {@code full.attn_mean} (own-position pass) into {@code trace}; for parity checks. */
  GenerationRun recordingInto(Trace trace) {
    this.debug = trace;
    return this;
  }

  /** Reuse the vision stream at the hook and the text prefix's keys and values. */
  GenerationRun reusing(PromptCache cache) {
    this.reuse = cache;
    return this;
  }

  /** Runs the vision tower to the hook and the language model over the text before the first image. */
  PromptCache buildCache() {
    List<Integer> prompt = req.inputIds();
    long[][] ids = {prompt.stream().mapToLong(Integer::longValue).toArray()};
    int f = firstImagePosition(ids[0]);
    int layers = decoder.config().numLayers();
    try (NDManager m = model.newScope()) {
      SaeTap readOnly = SaeTap.read(req.sae().sae());
      VisionFeatures vf = req.images().isEmpty() ? null : model.visionFeatures(m, req.images(), readOnly, null);
      List<FloatMatrix> streams = vf == null ? List.of() : vf.hooked();
      List<float[]> keys = new ArrayList<>();
      List<float[]> values = new ArrayList<>();
      if (f > 0) {
        KvCache cache = new KvCache(layers, 1);
        NDArray x = decoder.embed(m, new long[][] {Arrays.copyOf(ids[0], f)});
        decoder.forward(x, new long[][] {range(0, f)}, new int[][] {ones(f)}, cache, null, null);
        List<List<float[]>> kv = cache.export(f);
        keys = kv.get(0);
        values = kv.get(1);
      }
      return new PromptCache(prompt, req.images(), req.sae().hookPoint(), streams, f, keys, values, model);
    }
  }

  private int firstImagePosition(long[] ids) {
    int image = model.config().imageTokenIndex();
    for (int t = 0; t < ids.length; t++) {
      if (ids[t] == image) {
        return t;
      }
    }
    return 0;
  }

  /**
   * The layers an attention tap averages over (all when it names none).
   *
   * @throws InvalidInputException for a layer the model does not have
   */
  static boolean[] tappedLayers(AttentionTap tap, int layers) {
    boolean[] on = new boolean[layers];
    if (tap.layers().isEmpty()) {
      Arrays.fill(on, true);
    }
    for (int l : tap.layers()) {
      InvalidInputException.check(l < layers, "attention layer (%s) must be less than the LLM's %s layers", l, layers);
      on[l] = true;
    }
    return on;
  }

  /**
   * The heads an attention tap averages over (all when it names none).
   *
   * @throws InvalidInputException for a head the model does not have
   */
  static boolean[] tappedHeads(AttentionTap tap, int numHeads) {
    boolean[] on = new boolean[numHeads];
    if (tap.heads().isEmpty()) {
      Arrays.fill(on, true);
    }
    for (int h : tap.heads()) {
      InvalidInputException.check(h < numHeads, "attention head (%s) must be less than the LLM's %s heads", h, numHeads);
      on[h] = true;
    }
    return on;
  }

  static int count(boolean[] on) {
    int n = 0;
    for (boolean b : on) {
      n += b ? 1 : 0;
    }
    return n;
  }

  /**
   * Why decoding ends once {@code token} was chosen at step {@code t} of at most {@code maxSteps}, with
   * the next position {@code nextPos}; null to go on. Both engines' rule.
   */
  static StopReason stopAfter(GenerationRequest req, int token, int t, int maxSteps, long nextPos, int maxPos) {
    if (req.stopTokens().contains(token)) {
      return StopReason.STOP_TOKEN;
    }
    if (t == maxSteps - 1) {
      return maxSteps < req.maxNewTokens() ? StopReason.CONTEXT_LENGTH : StopReason.MAX_NEW_TOKENS;
    }
    return nextPos >= maxPos ? StopReason.CONTEXT_LENGTH : null;
  }

  /** Accumulates mean-over-heads attention rows for the tapped layers. */
  private static final class AttentionAccumulator {
    private final boolean[] layerOn;
    private final long[] heads;   // null = all
    private final int layerCount;

    AttentionAccumulator(AttentionTap tap, int layers, int numHeads) {
      layerOn = tappedLayers(tap, layers);
      layerCount = count(layerOn);
      tappedHeads(tap, numHeads);   // checks the ids
      heads = tap.heads().isEmpty() ? null : tap.heads().stream().mapToLong(Integer::longValue).toArray();
    }

    boolean on(int layer) {
      return layerOn[layer];
    }

    /** {@code probs [1, H, S, T]} to the mean over the tapped heads {@code [S, T]}. */
    NDArray meanOverHeads(NDArray probs) {
      NDArray p = probs.get(0);
      if (heads != null) {
        p = p.get(new NDIndex("{}", p.getManager().create(heads)));
      }
      return p.mean(new int[] {0});
    }

    float scale() {
      return 1f / layerCount;
    }
  }

  Generation run() {
    List<Integer> prompt = req.inputIds();
    long[][] ids = {prompt.stream().mapToLong(Integer::longValue).toArray()};
    int p = prompt.size();
    int maxPos = decoder.config().maxPositionEmbeddings();
    InvalidInputException.check(p <= maxPos,
        "prompt length (%s tokens) must be at most the context length max_position_embeddings (%s). Shorten the "
            + "prompt or use a smaller image.", p, maxPos);
    int layers = decoder.config().numLayers();
    AttentionTap tap = req.attention();
    AttentionAccumulator acc = tap == null ? null : new AttentionAccumulator(tap, layers, decoder.config().numHeads());
    List<Integer> imagePos = new ArrayList<>();
    List<Integer> newTokens = new ArrayList<>();
    List<float[]> logitRows = new ArrayList<>();
    StopReason reason = StopReason.MAX_NEW_TOKENS;
    List<FloatMatrix> hooked;
    List<FloatMatrix> edited;
    float[][] producing;        // [steps][total keys]
    float[][] promptRows = null;   // [p][nImg]
    TextImageAttention own = null;
    try (NDManager m = model.newScope()) {
      VisionFeatures vf = req.images().isEmpty() ? null
          : model.visionFeatures(m, req.images(), req.sae(), null, reuse == null ? null : reuse.streams());
      hooked = vf == null ? List.of() : vf.hooked();
      if (debug != null && vf != null) {
        debug.put("image_features", org.visualscratchpad.torch.nn.Nd.dense(vf.features()));
      }
      edited = vf == null ? List.of() : vf.edited();
      NDArray x = model.mergedEmbeddings(m, ids, vf);
      List<Integer> allImage = model.imagePositionsOf(ids).get(0);
      for (int k = 0; k < allImage.size(); k++) {
        if (!vf.newline()[k]) {
          imagePos.add(allImage.get(k));
        }
      }
      long[] imgIdx = imagePos.stream().mapToLong(Integer::longValue).toArray();
      int nImg = imgIdx.length;
      int maxSteps = Math.min(req.maxNewTokens(), maxPos - p + 1);
      producing = new float[Math.max(maxSteps, 0)][];
      final float[][] promptAcc = acc == null || !(req.promptAttention() || debug != null) ? null : new float[p][nImg];
      final float[][] prodAcc = producing;
      KvCache cache = new KvCache(layers, 1);
      SplittableRandom rng = req.sampling() instanceof Sampling.TopP tp ? new SplittableRandom(tp.seed()) : null;
      float[] logits;
      final int f = reuse == null ? 0 : Math.min(reuse.prefixLength(), p - 1);
      if (f > 0) {
        decoder.preload(m, cache, reuse.keys(), reuse.values(), f);
      }
      final int rows = p - f;
      try (NDManager step = m.newSubManager()) {
        NDArray xs = f == 0 ? x.duplicate() : x.get(new NDIndex(":, " + f + ":, :"));
        xs.attach(step);
        long[][] pos = {range(f, p)};
        NDArray h = decoder.forward(xs, pos, new int[][] {ones(rows)}, cache,
            acc == null ? null : (l, probs) -> {
              if (!acc.on(l)) {
                return;
              }
              NDArray mean = acc.meanOverHeads(probs);                     // (p - f, p)
              float[] last = mean.get(rows - 1).toFloatArray();
              addInto(prodAcc, 0, last, acc.scale());
              if (nImg > 0 && promptAcc != null) {
                float[] cols = mean.transpose().get(new NDIndex("{}", mean.getManager().create(imgIdx)))
                    .toFloatArray();                                         // (nImg, p - f)
                for (int k = 0; k < nImg; k++) {
                  for (int q = 0; q < rows; q++) {
                    promptAcc[f + q][k] += cols[k * rows + q] * acc.scale();
                  }
                }
              }
            }, null);
        logits = decoder.logits(h.get(new NDIndex(":, -1:, :"))).toFloatArray();
        cache.keep(m);
      }
      promptRows = promptAcc;
      long nextPos = p;
      for (int t = 0; t < maxSteps; t++) {
        if (req.stepLogits()) {
          logitRows.add(logits);
        }
        int token = choose(logits, req.sampling(), rng);
        newTokens.add(token);
        StopReason stop = stopAfter(req, token, t, maxSteps, nextPos, maxPos);
        if (stop != null) {
          reason = stop;
          break;
        }
        final int stepIndex = t + 1;
        try (NDManager step = m.newSubManager()) {
          NDArray e = decoder.embed(step, new long[][] {{token}});
          NDArray h = decoder.forward(e, new long[][] {{nextPos}}, new int[][] {{1}}, cache,
              acc == null ? null : (l, probs) -> {
                if (acc.on(l)) {
                  addInto(prodAcc, stepIndex, acc.meanOverHeads(probs).get(0).toFloatArray(), acc.scale());
                }
              }, null);
          logits = decoder.logits(h).toFloatArray();
          cache.keep(m);
        }
        nextPos++;
      }
      if (tap != null && tap.convention() == AttentionConvention.OWN_POSITION) {
        own = ownPosition(m, vf, prompt, newTokens, imgIdx, acc);
      }
    }
    return assemble(req, prompt, newTokens, logitRows, hooked, edited, producing, promptRows, own, imagePos, reason,
        debug, decoder.config().vocabSize());
  }

  /** The {@link Generation} of a finished run (shared by both engines). */
  static Generation assemble(GenerationRequest req, List<Integer> prompt, List<Integer> newTokens,
      List<float[]> logitRows, List<FloatMatrix> hooked, List<FloatMatrix> edited, float[][] producing,
      float[][] promptRows, TextImageAttention own, List<Integer> imagePos, StopReason reason, Trace debug, int vocab) {
    int p = prompt.size();
    AttentionTap tap = req.attention();
    FloatMatrix stepLogits = null;
    if (req.stepLogits()) {
      float[] all = new float[logitRows.size() * vocab];
      for (int t = 0; t < logitRows.size(); t++) {
        System.arraycopy(logitRows.get(t), 0, all, t * vocab, vocab);
      }
      stepLogits = FloatMatrix.adopt(logitRows.size(), vocab, all);
    }
    TextImageAttention attention = null;
    TextImageAttention promptAttention = null;
    if (tap != null) {
      int nImg = imagePos.size();
      if (tap.convention() == AttentionConvention.PRODUCING_STEP) {
        float[] w = new float[newTokens.size() * nImg];
        List<Integer> positions = new ArrayList<>();
        for (int t = 0; t < newTokens.size(); t++) {
          for (int k = 0; k < nImg; k++) {
            w[t * nImg + k] = producing[t][imagePos.get(k)];
          }
          positions.add(p + t);
        }
        attention = new TextImageAttention(AttentionConvention.PRODUCING_STEP, labels(newTokens), positions,
            FloatMatrix.adopt(newTokens.size(), nImg, w));
      } else {
        attention = own;
      }
      if (promptRows != null) {
        float[] w = new float[p * nImg];
        List<Integer> positions = new ArrayList<>();
        for (int q = 0; q < p; q++) {
          System.arraycopy(promptRows[q], 0, w, q * nImg, nImg);
          positions.add(q);
        }
        promptAttention = new TextImageAttention(AttentionConvention.OWN_POSITION, labels(prompt), positions,
            FloatMatrix.adopt(p, nImg, w));
      }
      if (debug != null) {
        int total = p + newTokens.size();
        float[] rows = new float[newTokens.size() * Math.max(total - 1, 0)];
        for (int t = 0; t < newTokens.size(); t++) {
          System.arraycopy(producing[t], 0, rows, t * (total - 1), Math.min(producing[t].length, total - 1));
        }
        debug.put("attn.gen_producing_rows", DenseTensor.adopt(new long[] {newTokens.size(), total - 1}, rows));
      }
    }
    return new Generation(prompt, newTokens, stepLogits, hooked, edited, attention, promptAttention, imagePos, reason,
        req.sampling().seed(), null);
  }

  /** Own-position rows of the new tokens: one extra forward over prompt + new tokens, no cache. */
  private TextImageAttention ownPosition(NDManager m, VisionFeatures vf, List<Integer> prompt, List<Integer> newTokens,
      long[] imgIdx, AttentionAccumulator acc) {
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
    try (NDManager step = m.newSubManager()) {
      NDArray x = model.mergedEmbeddings(step, ids, vf);
      KvCache cache = new KvCache(decoder.config().numLayers(), 1);
      decoder.forward(x, new long[][] {range(0, total)}, new int[][] {ones(total)}, cache, (l, probs) -> {
        if (!acc.on(l)) {
          return;
        }
        NDArray mean = acc.meanOverHeads(probs);   // (total, total)
        if (full != null) {
          float[] all = mean.toFloatArray();
          for (int i = 0; i < all.length; i++) {
            full[i] += all[i] * acc.scale();
          }
        }
        if (n > 0 && nImg > 0) {
          float[] rows = mean.get(new NDIndex(p + ":")).transpose()
              .get(new NDIndex("{}", mean.getManager().create(imgIdx))).toFloatArray();   // (nImg, n)
          for (int k = 0; k < nImg; k++) {
            for (int t = 0; t < n; t++) {
              w[t * nImg + k] += rows[k * n + t] * acc.scale();
            }
          }
        }
      }, null);
    }
    if (full != null) {
      debug.put("full.attn_mean", DenseTensor.adopt(new long[] {total, total}, full));
    }
    List<Integer> positions = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      positions.add(p + t);
    }
    return new TextImageAttention(AttentionConvention.OWN_POSITION, labels(newTokens), positions,
        FloatMatrix.adopt(n, nImg, w));
  }

  private static void addInto(float[][] rows, int row, float[] values, float scale) {
    if (row >= rows.length) {
      return;
    }
    if (rows[row] == null) {
      rows[row] = new float[values.length];
    }
    for (int i = 0; i < values.length; i++) {
      rows[row][i] += values[i] * scale;
    }
  }

  static List<String> labels(List<Integer> ids) {
    List<String> out = new ArrayList<>(ids.size());
    for (int id : ids) {
      out.add("id:" + id);
    }
    return out;
  }

  static long[] range(long from, long to) {
    long[] r = new long[(int) (to - from)];
    for (int i = 0; i < r.length; i++) {
      r[i] = from + i;
    }
    return r;
  }

  static int[] ones(int n) {
    int[] r = new int[n];
    Arrays.fill(r, 1);
    return r;
  }

  /** Greedy argmax (first on ties) or seeded temperature + top-p sampling. */
  static int choose(float[] logits, Sampling sampling, SplittableRandom rng) {
    if (sampling instanceof Sampling.TopP tp) {
      return sampleTopP(logits, tp, rng);
    }
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  private static int sampleTopP(float[] logits, Sampling.TopP tp, SplittableRandom rng) {
    int v = logits.length;
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l / tp.temperature());
    }
    double[] prob = new double[v];
    double sum = 0;
    for (int i = 0; i < v; i++) {
      prob[i] = Math.exp(logits[i] / tp.temperature() - max);
      sum += prob[i];
    }
    Integer[] order = new Integer[v];
    for (int i = 0; i < v; i++) {
      order[i] = i;
      prob[i] /= sum;
    }
    Arrays.sort(order, (a, b) -> Double.compare(prob[b], prob[a]));
    double cum = 0;
    int keep = 0;
    while (keep < v) {
      cum += prob[order[keep]];
      keep++;
      if (cum >= tp.topP()) {
        break;
      }
    }
    double u = rng.nextDouble() * cum;
    double c = 0;
    for (int i = 0; i < keep; i++) {
      c += prob[order[i]];
      if (u < c) {
        return order[i];
      }
    }
    return order[keep - 1];
  }

  /** Batch greedy generation with left padding, recorded as {@code generate()} returns it. */
  static Trace batchGreedy(LlavaModel model, LlamaDecoder decoder, long[][] ids, int[][] mask, List<ImageInput> images,
      int maxNew, Set<Integer> stop) {
    int b = ids.length;
    int s = ids[0].length;
    int[][] msk = mask;
    int vocab = decoder.config().vocabSize();
    int pad = Math.max(model.config().padTokenId(), 0);
    long[][] out = new long[b][s + maxNew];
    for (int i = 0; i < b; i++) {
      System.arraycopy(ids[i], 0, out[i], 0, s);
    }
    float[] stepLogits = new float[maxNew * b * vocab];
    int steps = 0;
    try (NDManager m = model.newScope()) {
      VisionFeatures vf = images.isEmpty() ? null : model.visionFeatures(m, images, null, null);
      NDArray x = model.mergedEmbeddings(m, ids, vf);
      long[][] pos = LlavaModel.positionsFromMask(msk);
      long[] next = new long[b];
      for (int i = 0; i < b; i++) {
        next[i] = pos[i][s - 1] + 1;
      }
      KvCache cache = new KvCache(decoder.config().numLayers(), b);
      float[] logits;
      try (NDManager step = m.newSubManager()) {
        NDArray h = decoder.forward(x, pos, msk, cache, null, null);
        logits = decoder.logits(h.get(new NDIndex(":, -1:, :"))).toFloatArray();
        cache.keep(m);
      }
      boolean[] done = new boolean[b];
      for (int t = 0; t < maxNew; t++) {
        System.arraycopy(logits, 0, stepLogits, t * b * vocab, b * vocab);
        steps++;
        long[][] tok = new long[b][1];
        boolean allDone = true;
        for (int i = 0; i < b; i++) {
          int chosen = choose(Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab), Sampling.greedy(), null);
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
        try (NDManager step = m.newSubManager()) {
          NDArray e = decoder.embed(step, tok);
          long[][] p = new long[b][1];
          int[][] one = new int[b][1];
          for (int i = 0; i < b; i++) {
            p[i][0] = next[i]++;
            one[i][0] = 1;
          }
          NDArray h = decoder.forward(e, p, one, cache, null, null);
          logits = decoder.logits(h).toFloatArray();
          cache.keep(m);
        }
      }
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
}
