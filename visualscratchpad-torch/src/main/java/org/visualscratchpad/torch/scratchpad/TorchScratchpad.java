package org.visualscratchpad.torch.scratchpad;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.attention.TextImageAttention;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.PhaseTiming;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.Token;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.input.InputPipeline;
import org.visualscratchpad.torch.input.VlmInputs;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.prompt.ChatMessage;
import org.visualscratchpad.torch.input.prompt.PromptTokenizer;
import org.visualscratchpad.torch.input.prompt.SpecialTokens;
import org.visualscratchpad.torch.input.prompt.TokenIds;
import org.visualscratchpad.torch.llava.Generation;
import org.visualscratchpad.torch.llava.GenerationRequest;
import org.visualscratchpad.torch.llava.ImageInput;
import org.visualscratchpad.torch.llava.LlavaModel;
import org.visualscratchpad.torch.llava.PromptCache;
import org.visualscratchpad.torch.llava.SaeTap;
import org.visualscratchpad.torch.llava.Sampling;
import org.visualscratchpad.torch.lifetime.Lifetime;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * The {@link Scratchpad} of a checkpoint folder of any registered family (LLaVA-1.5, LLaVA-NeXT,
 * LLaVA-OneVision; with {@code tokenizer.json} and {@code preprocessor_config.json}) and an SAE on its
 * vision tower, on the CPU engine or libtorch. The input pipeline and the model share the family's
 * image-token layout; where a token mixes several patches (OneVision's downscaled grid) its attention is
 * spread over them ({@link ImageFeatureLayout#attribution()}), so the answer's attention columns and
 * {@link #imageTokenLayout} are patches with their SAE rows.
 *
 * <p>Thread-safe: the model's weights are read-only and each {@link #ask} opens and closes its own
 * native scope, so concurrent calls give the same answers as sequential ones. {@link #close()}
 * waits for the asks in flight, then frees the weights and the tokenizer; later calls fail with a
 * clear error.
 */
final class TorchScratchpad implements Scratchpad {
  private final LlavaModel model;
  private final InputPipeline inputs;
  private final SparseAutoencoder sae;
  private final DatasetStatistics statistics;
  private final Set<Integer> stopTokens;
  private final Lifetime lifetime;
  private final LoadSpec spec;

  private TorchScratchpad(LlavaModel model, InputPipeline inputs, SparseAutoencoder sae, DatasetStatistics statistics,
      Set<Integer> stopTokens, LoadSpec spec) {
    this.spec = spec;
    this.model = model;
    this.inputs = inputs;
    this.sae = sae;
    this.statistics = statistics;
    this.stopTokens = stopTokens;
    this.lifetime = Lifetime.of(this, "Scratchpad[" + model.folder() + "]", inputs, model);
  }

  static TorchScratchpad open(LoadSpec spec) {
    LlavaModel model = LlavaModel.load(spec.model(), spec.device(), spec.dtype());
    InputPipeline pipeline = null;
    try {
      SparseAutoencoder sae = SaeLoader.load(spec.sae(), model.hiddenSize());
      InvalidInputException.check(sae.config().hookPoint().layer() < model.numLayers(),
          "SAE hook point (%s) lies beyond the vision tower's %s layers. Was this SAE trained on another model?",
          sae.config().hookPoint(), model.numLayers());
      pipeline = InputPipeline.open(spec.model(), model.family(), model.config());
      DatasetStatistics stats = spec.statisticsPath().map(TorchScratchpad::loadStatistics).orElse(null);
      if (stats != null) {
        InvalidInputException.check(stats.dSae() == sae.dSae(),
            "statistics d_sae (%s) must match the SAE's d_sae (%s). Were they computed for another SAE?",
            stats.dSae(), sae.dSae());
      }
      return new TorchScratchpad(model, pipeline, sae, stats, StopTokens.of(spec.model(), pipeline.tokenizer()), spec);
    } catch (RuntimeException e) {
      if (pipeline != null) {
        pipeline.close();
      }
      model.close();
      throw e;
    }
  }

  private static DatasetStatistics loadStatistics(Path dir) {
    return LatentStatistics.load(dir);
  }

  @Override
  public SparseAutoencoder sae() {
    return sae;
  }

  @Override
  public Optional<LoadSpec> spec() {
    return Optional.ofNullable(spec);
  }

  @Override
  public Optional<DatasetStatistics> statistics() {
    return Optional.ofNullable(statistics);
  }

  @Override
  public Optional<List<ImageTokenLocation>> imageTokenLayout(int width, int height) {
    InvalidInputException.check(width > 0 && height > 0, "image size (%s x %s) must be positive", width, height);
    try (Lifetime.Call call = lifetime.enter()) {
      return Optional.of(inputs.layoutFor(new ImageSize(height, width)).attribution().locations());
    }
  }

  /** The loaded model (for callers inside this module, e.g. statistics over a dataset). */
  LlavaModel model() {
    return model;
  }

  @Override
  public Answer ask(BufferedImage image, String prompt, AskOptions options) {
    try (Lifetime.Call call = lifetime.enter()) {
      return askOpen(image, prompt, options);
    }
  }

  private Answer askOpen(BufferedImage image, String prompt, AskOptions options) {
    InvalidInputException.check(image != null, "image must not be null");
    InvalidInputException.check(prompt != null && !prompt.isBlank(), "prompt must not be blank");
    VlmInputs in = inputs.prepare(List.of(ImageDecoder.toRgb(image)), List.of(ChatMessage.userWithImage(prompt)),
        options.maxNewTokens());
    List<String> unknown = inputs.tokenizer().unknownWords(prompt);
    if (!unknown.isEmpty()) {
      org.slf4j.LoggerFactory.getLogger(TorchScratchpad.class).warn("words {} of the prompt are not in the tokenizer's"
          + " vocabulary and become its unknown token: the model sees them all as one token. Check the spelling.",
          unknown);
    }
    ImageInput img = ImageInput.from(in.images().get(0));
    long[] ids = in.prompt().ids().toArray();
    List<Integer> promptIds = new ArrayList<>(ids.length);
    for (long id : ids) {
      promptIds.add(Math.toIntExact(id));
    }
    var s = options.sampling();
    Sampling sampling = s.isGreedy() ? Sampling.greedy() : Sampling.topP((float) s.temperature(), (float) s.topP(), s.seed());
    GenerationRequest req = GenerationRequest.of(promptIds, List.of(img), options.maxNewTokens())
        .withStopTokens(stopTokens)
        .withSampling(sampling)
        .withSae(new SaeTap(sae, options.plan()))
        .withAttention(options.attention())
        .withStepLogits(false)
        .withPromptAttention(false);   // an answer keeps the generated tokens' attention only
    PromptCache reuse = reusable(promptIds, img);
    long genStart = System.nanoTime();
    LlavaModel.Reusing run = model.generateReusing(req, reuse);
    long genNanos = System.nanoTime() - genStart;
    Generation g = run.generation();
    if (reuse == null && run.cache() != null) {
      remember(promptIds, img, run.cache());
    }
    long encodeStart = System.nanoTime();

    // the codes fed: the plan's edits on the codes of the unedited stream (an ablated latent reads 0);
    // the re-encoding of the edited stream is kept beside them (Answer.reencodedActivations)
    InterventionPlan plan = options.plan();
    List<SparseActivations> acts = new ArrayList<>();
    List<SparseActivations> reencoded = new ArrayList<>();
    for (int c = 0; c < g.hookActivations().size(); c++) {
      SparseActivations h = sae.encode(g.hookActivations().get(c));
      if (plan.isIdentity()) {
        acts.add(h);
        reencoded.add(h);
      } else {
        acts.add(fedCodes(h, c, plan));
        reencoded.add(sae.encode(g.editedActivations().get(c)));
      }
    }
    PromptTokenizer tok = inputs.tokenizer();
    List<Token> promptTokens = texts(tok, promptIds, 0, false);
    List<Token> generated = texts(tok, g.newTokens(), promptIds.size(), true);
    TextImageAttention a = g.attention();
    ImageFeatureLayout.Attribution columns = in.layouts().get(0).attribution();
    FloatMatrix weights = a.weights();
    if (!columns.identity()) {
      weights = FloatMatrix.adopt(weights.rows(), columns.locations().size(),
          columns.spread(weights.toArray(), weights.rows()));
    }
    TextImageAttention attention = new TextImageAttention(a.convention(),
        generated.stream().map(Token::text).toList(), a.positions(), weights);
    long encodeNanos = System.nanoTime() - encodeStart;
    return new Answer(this, image, prompt, options, promptTokens, generated, acts, reencoded,
        attention, columns.locations(), timings(g, genNanos, encodeNanos, reuse != null));
  }

  /**
   * The codes a plan fed one crop. A plan's scopes address rows with CLS at 0; on a tower without CLS
   * (SigLIP) the crop is edited behind an empty CLS slot that is dropped again, as the SAE tap does.
   */
  private SparseActivations fedCodes(SparseActivations h, int crop, InterventionPlan plan) {
    if (model.hasClsToken()) {
      return sae.editCodes(h, crop, plan);
    }
    SparseActivations.Builder padded = SparseActivations.builder(h.dSae()).addRow(new int[0], new float[0], 0);
    for (int r = 0; r < h.rows(); r++) {
      padded.addRow(h.rowLatents(r), h.rowValues(r), h.rowNnz(r));
    }
    return sae.editCodes(padded.build(), crop, plan).rowRange(1, h.rows() + 1);
  }

  /** The phases of one ask, from the engine's own timings where it records them. */
  private List<PhaseTiming> timings(Generation g, long genNanos, long encodeNanos, boolean reused) {
    List<PhaseTiming> out = new ArrayList<>();
    if (g.timings() != null) {
      out.addAll(g.timings().phases(reused));
    }
    out.add(new PhaseTiming("generate", genNanos / 1e6, "the model call, all of the above"));
    out.add(new PhaseTiming("sae-encode", encodeNanos / 1e6, "SAE codes of every crop"));
    return out;
  }

  /** Prompt caches of recent (prompt, image) pairs, most recent last; at most {@link #REUSE_ENTRIES}. */
  private final java.util.LinkedHashMap<List<Object>, PromptCache> reusable = new java.util.LinkedHashMap<>(8, 0.75f,
      true);
  private static final int REUSE_ENTRIES = 4;

  private PromptCache reusable(List<Integer> promptIds, ImageInput img) {
    synchronized (reusable) {
      return reusable.get(List.of(promptIds, img));
    }
  }

  private void remember(List<Integer> promptIds, ImageInput img, PromptCache cache) {
    synchronized (reusable) {
      reusable.put(List.of(List.copyOf(promptIds), img), cache);
      while (reusable.size() > REUSE_ENTRIES) {
        reusable.remove(reusable.keySet().iterator().next());
      }
    }
  }

  /**
   * Each token's text as the difference between decoding {@code ids} up to it and up to the one
   * before, so that word boundaries (SentencePiece's leading space, word-level separators) survive;
   * {@code incremental = false} decodes each id alone (prompt tokens, shown only as labels).
   */
  private static List<Token> texts(PromptTokenizer tok, List<Integer> ids, int firstPosition, boolean incremental) {
    List<Token> out = new ArrayList<>(ids.size());
    String previous = "";
    for (int t = 0; t < ids.size(); t++) {
      String text;
      if (incremental) {
        String upTo = decode(tok, ids.subList(0, t + 1));
        text = upTo.startsWith(previous) ? upTo.substring(previous.length()) : decode(tok, ids.subList(t, t + 1));
        previous = upTo;
      } else {
        text = decode(tok, ids.subList(t, t + 1));
      }
      out.add(new Token(ids.get(t), text, firstPosition + t));
    }
    return out;
  }

  private static String decode(PromptTokenizer tok, List<Integer> ids) {
    long[] l = new long[ids.size()];
    for (int i = 0; i < l.length; i++) {
      l[i] = ids.get(i);
    }
    return tok.decode(TokenIds.of(l), SpecialTokens.EXCLUDE);
  }

  /**
   * Refuses new calls, waits for the asks in flight, then frees the tokenizer and the model. Never
   * throws; later calls fail with a clear error.
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
