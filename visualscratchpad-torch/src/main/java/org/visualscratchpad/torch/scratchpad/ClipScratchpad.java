package org.visualscratchpad.torch.scratchpad;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.UnsupportedCapabilityException;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.ClassPrompts;
import org.visualscratchpad.scratchpad.ClassScore;
import org.visualscratchpad.scratchpad.Classification;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.clip.ClipModel;
import org.visualscratchpad.torch.clip.TappedImages;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import org.visualscratchpad.torch.input.preprocess.ClipImageProcessor;
import org.visualscratchpad.torch.input.preprocess.ImageInputs;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.torch.input.prompt.PromptTokenizer;
import org.visualscratchpad.torch.input.prompt.SpecialTokens;
import org.visualscratchpad.torch.llava.SaeTap;
import org.visualscratchpad.torch.lifetime.Lifetime;
import org.visualscratchpad.torch.trace.DenseTensor;

/**
 * The {@link Scratchpad} of a CLIP checkpoint ({@code CLIPModel}: text and vision towers with their
 * projections, {@code model_type "clip"}, with {@code tokenizer.json} and {@code
 * preprocessor_config.json}) and an SAE on its vision tower: zero-shot classification, the paper's
 * second inference mode. CLIP generates no text, so {@link #ask} fails.
 *
 * <p>{@link #classify} preprocesses the image with the checkpoint's {@code CLIPImageProcessor}, runs
 * the vision tower with the SAE at its hook point applying the plan (error term kept by default; the
 * identity plan leaves the stream untouched, so the logits equal plain CLIP's bit for bit), and
 * scores each class by {@code exp(logit_scale) * cos(image, class)}, where a class's embedding is
 * the normalised mean of its templates' normalised text embeddings (a single template's embedding
 * is used as is). Class embeddings are cached per {@link ClassPrompts}.
 *
 * <pre>{@code
 * jshell> try (var pad = Scratchpad.load(Path.of("clip-vit-large-patch14"), Path.of("sae"))) {
 *    ...>   var c = pad.classify(image, ClassPrompts.of(List.of("cat", "dog")));
 *    ...>   System.out.println(c + "\n" + c.drivers("cat", 20) + "\n" + c.ablate(412).compareTo(c));
 *    ...> }
 * }</pre>
 *
 * <p>Thread-safe: each call opens and closes its own native scope. {@link #close()} waits for the
 * calls in flight, then frees the weights and the tokenizer; later calls fail with a clear error.
 */
final class ClipScratchpad implements Scratchpad {
  private static final int CACHED_PROMPT_SETS = 16;

  private final ClipModel model;
  private final ClipImageProcessor images;
  private final PromptTokenizer tokenizer;
  private final SparseAutoencoder sae;
  private final DatasetStatistics statistics;
  private final Lifetime lifetime;
  private final Map<ClassPrompts, FloatMatrix> classEmbeddings = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<ClassPrompts, FloatMatrix> eldest) {
      return size() > CACHED_PROMPT_SETS;
    }
  };

  private ClipScratchpad(ClipModel model, ClipImageProcessor images, PromptTokenizer tokenizer, SparseAutoencoder sae,
      DatasetStatistics statistics) {
    this.model = model;
    this.images = images;
    this.tokenizer = tokenizer;
    this.sae = sae;
    this.statistics = statistics;
    this.lifetime = Lifetime.of(this, "Scratchpad[" + model.folder() + "]", tokenizer, model);
  }

  static ClipScratchpad open(LoadSpec spec) {
    ClipModel model = ClipModel.load(spec.model(), spec.device());
    PromptTokenizer tok = null;
    try {
      InvalidInputException.check(model.hasTextTower(), "%s is a CLIPVisionModel without a text tower; "
          + "classification needs a CLIPModel checkpoint (text and vision towers with projections)", spec.model());
      SparseAutoencoder sae = SaeLoader.load(spec.sae(), model.hiddenSize());
      new SaeTap(sae, InterventionPlan.none()).checkAgainst(model.numLayers(), model.hiddenSize());
      ClipImageProcessor processor = ClipImageProcessor.of(PreprocessorConfig.read(spec.model()));
      InvalidInputException.check(!processor.config().isAnyres(),
          "%s/preprocessor_config.json describes anyres tiling; a CLIP checkpoint needs a CLIPImageProcessor",
          spec.model());
      DatasetStatistics stats = spec.statisticsPath().map(LatentStatistics::load).orElse(null);
      if (stats != null) {
        InvalidInputException.check(stats.dSae() == sae.dSae(),
            "statistics d_sae (%s) must match the SAE's d_sae (%s). Were they computed for another SAE?",
            stats.dSae(), sae.dSae());
      }
      tok = PromptTokenizer.load(spec.model());
      return new ClipScratchpad(model, processor, tok, sae, stats);
    } catch (RuntimeException e) {
      if (tok != null) {
        tok.close();
      }
      model.close();
      throw e;
    }
  }

  @Override
  public SparseAutoencoder sae() {
    return sae;
  }

  @Override
  public Optional<DatasetStatistics> statistics() {
    return Optional.ofNullable(statistics);
  }

  /** The loaded model (for callers inside this module). */
  ClipModel model() {
    return model;
  }

  @Override
  public java.util.Set<Capability> capabilities() {
    return java.util.EnumSet.of(Capability.CLASSIFY);
  }

  @Override
  public Answer ask(BufferedImage image, String prompt, AskOptions options) {
    throw new UnsupportedCapabilityException(model.folder() + " is a CLIP model: it embeds images and texts but cannot "
        + "generate an answer. Use classify(image, ClassPrompts.of(List.of(...))) for zero-shot classification, or "
        + "load a LLaVA checkpoint to ask questions.");
  }

  @Override
  public Classification classify(BufferedImage image, ClassPrompts prompts, InterventionPlan plan) {
    try (Lifetime.Call call = lifetime.enter()) {
      return classifyOpen(image, prompts, plan);
    }
  }

  private Classification classifyOpen(BufferedImage image, ClassPrompts prompts, InterventionPlan plan) {
    InvalidInputException.check(image != null, "image must not be null");
    InvalidInputException.check(prompts != null, "class prompts must not be null, e.g. ClassPrompts.of(List.of(\"cat\", "
        + "\"dog\"))");
    InvalidInputException.check(plan != null, "plan must not be null; use InterventionPlan.none()");
    for (LatentIntervention edit : plan.edits()) {
      for (int id : edit.latentIds()) {
        InvalidInputException.check(id >= 0 && id < sae.dSae(),
            "latent id (%s) in %s must lie in [0, d_sae = %s)", id, edit, sae.dSae());
      }
    }
    TappedImages run = model.encodeImages(pixels(image), new SaeTap(sae, plan));
    FloatMatrix text = classEmbeddings(prompts);
    FloatMatrix logits = model.logitsPerImage(DenseTensor.of(run.imageEmbeds()), DenseTensor.of(text));
    List<String> names = prompts.classNames();
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < names.size(); j++) {
      max = Math.max(max, logits.get(0, j));
    }
    double[] e = new double[names.size()];
    double sum = 0;
    for (int j = 0; j < e.length; j++) {
      e[j] = Math.exp(logits.get(0, j) - max);
      sum += e[j];
    }
    List<ClassScore> scores = new ArrayList<>(names.size());
    for (int j = 0; j < e.length; j++) {
      scores.add(new ClassScore(names.get(j), logits.get(0, j), (float) (e[j] / sum)));
    }
    // the codes fed (an ablated latent reads 0), not the re-encoding of the edited stream
    SparseActivations acts = sae.editCodes(sae.encode(run.hooked().get(0)), 0, plan);
    return new Classification(this, image, prompts, plan, scores, acts);
  }

  @Override
  public List<RankedLatent> classDrivers(Classification c, String className, int candidates) {
    lifetime.checkOpen();
    InvalidInputException.check(c != null, "classification must not be null");
    InvalidInputException.check(c.source() == this,
        "this classification was computed by another scratchpad (%s); continue it there", c.source());
    InvalidInputException.check(candidates >= 1, "candidates (%s) must be at least 1", candidates);
    float base = c.probability(className);
    List<RankedLatent> out = new ArrayList<>();
    for (int id : mostActive(c.activations(), candidates)) {
      Classification ablated = c.under(c.plan().with(LatentIntervention.ablate(List.of(id))));
      out.add(new RankedLatent(id, base - ablated.probability(className)));
    }
    out.sort(Comparator.comparingDouble(RankedLatent::score).reversed().thenComparingInt(RankedLatent::latentId));
    return List.copyOf(out);
  }

  /**
   * The ids of the (at most) {@code k} latents with the highest mean activation over the patch rows
   * (row 0, CLS, excluded), active ones only, by decreasing mean then id.
   */
  static List<Integer> mostActive(SparseActivations acts, int k) {
    double[] sums = new double[acts.dSae()];
    int patches = acts.rows() - 1;
    for (int r = 1; r < acts.rows(); r++) {
      for (int i = acts.rowStart(r); i < acts.rowEnd(r); i++) {
        sums[acts.latentAt(i)] += acts.valueAt(i);
      }
    }
    List<Integer> ids = new ArrayList<>();
    for (int l = 0; l < sums.length; l++) {
      if (sums[l] > 0) {
        ids.add(l);
      }
    }
    ids.sort(Comparator.comparingDouble((Integer l) -> -sums[l] / Math.max(patches, 1)).thenComparingInt(l -> l));
    return List.copyOf(ids.subList(0, Math.min(k, ids.size())));
  }

  /** The image as {@code [1, 3, s, s]} pixel values. */
  DenseTensor pixels(BufferedImage image) {
    ImageInputs in = images.preprocess(ImageDecoder.toRgb(image));
    return DenseTensor.of(new long[] {1, 3, in.cropHeight(), in.cropWidth()}, in.toArray());
  }

  /** The class embeddings of {@code prompts}, {@code [classes x projection_dim]}, normalised; cached. */
  FloatMatrix classEmbeddings(ClassPrompts prompts) {
    synchronized (classEmbeddings) {
      FloatMatrix cached = classEmbeddings.get(prompts);
      if (cached != null) {
        return cached;
      }
    }
    FloatMatrix computed = computeClassEmbeddings(prompts);
    synchronized (classEmbeddings) {
      classEmbeddings.put(prompts, computed);
    }
    return computed;
  }

  private FloatMatrix computeClassEmbeddings(ClassPrompts prompts) {
    List<String> texts = new ArrayList<>();
    for (String name : prompts.classNames()) {
      texts.addAll(prompts.textsFor(name));
    }
    java.util.Set<String> unknown = new java.util.LinkedHashSet<>();
    for (String name : prompts.classNames()) {
      unknown.addAll(tokenizer.unknownWords(name));
    }
    for (String template : prompts.templates()) {
      unknown.addAll(tokenizer.unknownWords(template.replace("{}", "")));
    }
    if (!unknown.isEmpty()) {
      org.slf4j.LoggerFactory.getLogger(ClipScratchpad.class).warn("words {} are not in the tokenizer's vocabulary"
          + " and become its unknown token: the model sees them all as one token (classes made of them get identical"
          + " logits). Check the spelling or use words the tokenizer knows.", unknown);
    }
    FloatMatrix perText = textEmbeddings(texts);
    int classes = prompts.classNames().size();
    int templates = prompts.templates().size();
    int dim = perText.cols();
    float[] out = new float[classes * dim];
    for (int c = 0; c < classes; c++) {
      if (templates == 1) {
        for (int k = 0; k < dim; k++) {
          out[c * dim + k] = perText.get(c, k);
        }
        continue;
      }
      double[] mean = new double[dim];
      for (int t = 0; t < templates; t++) {
        for (int k = 0; k < dim; k++) {
          mean[k] += perText.get(c * templates + t, k);
        }
      }
      double norm = 0;
      for (double v : mean) {
        norm += v * v;
      }
      norm = Math.sqrt(norm);
      InvalidInputException.check(norm > 0, "the templates' embeddings of class (%s) cancel out; use other templates",
          prompts.classNames().get(c));
      for (int k = 0; k < dim; k++) {
        out[c * dim + k] = (float) (mean[k] / norm);
      }
    }
    return FloatMatrix.adopt(classes, dim, out);
  }

  /** Normalised text embeddings of {@code texts}, one row each; texts of equal length run as one batch. */
  private FloatMatrix textEmbeddings(List<String> texts) {
    int context = model.textContextLength();
    Map<Integer, List<Integer>> byLength = new TreeMap<>();
    List<long[]> ids = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      long[] t = tokenizer.encode(texts.get(i), SpecialTokens.INCLUDE).toArray();
      InvalidInputException.check(t.length > 0, "text (\"%s\") encodes to no tokens", texts.get(i));
      if (t.length > context) {
        // Like the CLIP tokenizer's truncation: keep the first context - 1 tokens and the final (end) token.
        long last = t[t.length - 1];
        t = java.util.Arrays.copyOf(t, context);
        t[context - 1] = last;
      }
      ids.add(t);
      byLength.computeIfAbsent(t.length, k -> new ArrayList<>()).add(i);
    }
    float[][] rows = new float[texts.size()][];
    for (List<Integer> group : byLength.values()) {
      long[][] batch = new long[group.size()][];
      for (int g = 0; g < batch.length; g++) {
        batch[g] = ids.get(group.get(g));
      }
      FloatMatrix emb = model.encodeTexts(batch, null, false).get("text_embeds").orElseThrow().asMatrix();
      for (int g = 0; g < batch.length; g++) {
        float[] row = new float[emb.cols()];
        for (int k = 0; k < row.length; k++) {
          row[k] = emb.get(g, k);
        }
        rows[group.get(g)] = row;
      }
    }
    int dim = rows[0].length;
    float[] flat = new float[texts.size() * dim];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, flat, i * dim, dim);
    }
    return FloatMatrix.adopt(texts.size(), dim, flat);
  }

  /**
   * Refuses new calls, waits for the classifications in flight, then frees the tokenizer and the model.
   * Never throws; later calls fail with a clear error.
   */
  @Override
  public void close() {
    lifetime.close();
  }

  @Override
  public String toString() {
    return "Scratchpad[" + model + ", SAE " + sae.config().hookPoint() + " d_sae " + sae.dSae()
        + (statistics == null ? "" : ", statistics") + (lifetime.isClosed() ? ", closed" : "") + "]";
  }
}
