package org.visualscratchpad.scratchpad;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.attention.TextImageAttention;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * What one {@link Scratchpad#ask} call saw and said: the generated tokens, the SAE activations of
 * every crop and patch, and the text-to-image attention of every generated token; and the fluent
 * start of every analysis and intervention on it.
 *
 * <pre>{@code
 * jshell> var answer = pad.ask(image, "What colour is the circle?")
 * answer ==> Answer["red" (2 tokens), 1 crop(s) [65 x 1024 ...], plan: no edit]
 * jshell> answer.rankLatents()            // concepts the answer used, attention-weighted
 * jshell> answer.rankLatents().cluster().ablate(0).regenerate()
 * jshell> answer.diff(answer.ablate(412, 97).regenerate())
 * }</pre>
 *
 * <p>Immutable and thread-safe (the image is copied on the way in and out). Analyses need {@code
 * visualscratchpad-analysis} on the class path; {@link #regenerate()} needs the scratchpad that
 * made the answer to be open.
 */
public final class Answer {
  private final Scratchpad source;
  private final BufferedImage image;
  private final String prompt;
  private final AskOptions options;
  private final List<Token> promptTokens;
  private final List<Token> generated;
  private final List<SparseActivations> activations;
  private final List<SparseActivations> reencoded;
  private final TextImageAttention attention;
  private final List<ImageTokenLocation> imageTokens;
  private final List<PhaseTiming> timings;

  /**
   * @param source the scratchpad that made it (null for an answer loaded without a model)
   * @param image the image asked about
   * @param prompt the user's prompt
   * @param options the call's options, plan included
   * @param promptTokens the model's input tokens (image tokens expanded)
   * @param generated the generated tokens
   * @param activations SAE codes per crop that the model was fed, {@code [tokensPerCrop x d_sae]} each
   *     (row 0 CLS where the tower has one); also taken as the re-encoding (right for an answer without an edit)
   * @param attention generated tokens' attention to the image tokens
   * @param imageTokens where each image token comes from (one per attention column)
   */
  public Answer(Scratchpad source, BufferedImage image, String prompt, AskOptions options, List<Token> promptTokens,
      List<Token> generated, List<SparseActivations> activations, TextImageAttention attention,
      List<ImageTokenLocation> imageTokens) {
    this(source, image, prompt, options, promptTokens, generated, activations, attention, imageTokens, List.of());
  }

  /**
   * An answer with the timings of the call that made it (see {@link #timings()}); the other parameters as
   * in {@link #Answer(Scratchpad, BufferedImage, String, AskOptions, List, List, List, TextImageAttention,
   * List)}.
   */
  public Answer(Scratchpad source, BufferedImage image, String prompt, AskOptions options, List<Token> promptTokens,
      List<Token> generated, List<SparseActivations> activations, TextImageAttention attention,
      List<ImageTokenLocation> imageTokens, List<PhaseTiming> timings) {
    this(source, image, prompt, options, promptTokens, generated, activations, activations, attention, imageTokens,
        timings);
  }

  /**
   * An answer whose stream was edited: {@code activations} are the codes the model was fed (the
   * plan's edits applied to the SAE's codes of the unedited stream), {@code reencoded} the SAE's
   * encoding of the edited stream the vision tower continued from (see {@link
   * #reencodedActivations()}); the other parameters as in {@link #Answer(Scratchpad, BufferedImage,
   * String, AskOptions, List, List, List, TextImageAttention, List)}.
   */
  public Answer(Scratchpad source, BufferedImage image, String prompt, AskOptions options, List<Token> promptTokens,
      List<Token> generated, List<SparseActivations> activations, List<SparseActivations> reencoded,
      TextImageAttention attention, List<ImageTokenLocation> imageTokens, List<PhaseTiming> timings) {
    InvalidInputException.check(reencoded != null && reencoded.size() == activations.size(),
        "re-encoded activations (%s crops) must match the activations (%s crops)",
        reencoded == null ? 0 : reencoded.size(), activations.size());
    for (int c = 0; c < reencoded.size(); c++) {
      InvalidInputException.check(reencoded.get(c).rows() == activations.get(c).rows()
              && reencoded.get(c).dSae() == activations.get(c).dSae(),
          "re-encoded activations of crop %s (%s x %s) must have the shape of its activations (%s x %s)", c,
          reencoded.get(c).rows(), reencoded.get(c).dSae(), activations.get(c).rows(), activations.get(c).dSae());
    }
    InvalidInputException.check(image != null && prompt != null && options != null, "image, prompt and options must be set");
    InvalidInputException.check(!activations.isEmpty(), "an answer needs the activations of at least one crop");
    InvalidInputException.check(attention.weights().cols() == imageTokens.size(),
        "attention columns (%s) must match the image tokens (%s)", attention.weights().cols(), imageTokens.size());
    InvalidInputException.check(attention.weights().rows() == generated.size(),
        "attention rows (%s) must match the generated tokens (%s)", attention.weights().rows(), generated.size());
    this.source = source;
    this.image = copy(image);
    this.prompt = prompt;
    this.options = options;
    this.promptTokens = List.copyOf(promptTokens);
    this.generated = List.copyOf(generated);
    this.activations = List.copyOf(activations);
    this.reencoded = reencoded == activations ? this.activations : List.copyOf(reencoded);
    this.attention = attention;
    this.imageTokens = List.copyOf(imageTokens);
    this.timings = List.copyOf(timings);
  }

  /** Where the time of the call that made this answer went, phase by phase (empty if not recorded). */
  public List<PhaseTiming> timings() {
    return timings;
  }

  /** The image asked about (a copy). */
  public BufferedImage image() {
    return copy(image);
  }

  public String prompt() {
    return prompt;
  }

  public AskOptions options() {
    return options;
  }

  /** The interventions this answer was generated under. */
  public InterventionPlan plan() {
    return options.plan();
  }

  public List<Token> promptTokens() {
    return promptTokens;
  }

  /** The generated tokens, in order. */
  public List<Token> generated() {
    return generated;
  }

  /** The generated text (the tokens' texts concatenated, trimmed). */
  public String text() {
    StringBuilder sb = new StringBuilder();
    for (Token t : generated) {
      sb.append(t.text());
    }
    return sb.toString().strip();
  }

  /**
   * The SAE codes the model was fed, per crop: {@code [tokensPerCrop x d_sae]}; row 0 CLS, row k+1 patch k
   * for a tower with CLS (CLIP), row k patch k for one without (SigLIP); Qwen2-VL's crop is the whole image, its
   * rows the patches in the processor's 2 x 2 merge-window order (no CLS), as many as the image's size gives;
   * {@link #imageTokens()} names each image token's row and its place in the image. Without an edit, the SAE's encoding of the stream; under a plan, those codes with
   * the plan's edits applied ({@link org.visualscratchpad.sae.SparseAutoencoder#editCodes}), so an ablated
   * latent reads 0 and a set one its value. Every analysis (ranking, heatmap, clusters) reads these.
   */
  public List<SparseActivations> activations() {
    return activations;
  }

  /**
   * The SAE's encoding of the stream the vision tower continued from, per crop ({@code [tokensPerCrop
   * x d_sae]}). Equal to {@link #activations()} without an edit. Under an edit it differs: with the
   * error term kept the edited stream is {@code z + (h' - h) W_dec}, and encoding it again can make an
   * ablated latent active (the error term and the other latents' decoder directions still excite
   * it); with the error term dropped it is the encoding of the reconstruction. For inspecting what
   * the SAE reads after the edit, not what was fed.
   */
  public List<SparseActivations> reencodedActivations() {
    return reencoded;
  }

  /**
   * Attention from each generated token to the image tokens ({@code [generated x imageTokens]}). Where the
   * language model's image token mixes several patches (LLaVA-OneVision's bilinearly downscaled grid; Qwen2-VL's
   * merged tokens, each made of a 2 x 2 window of patches, a quarter to each), its attention is spread over
   * them by their mixing weights, so every column is one patch: ranking, heatmaps and overlays read it so.
   */
  public TextImageAttention attention() {
    return attention;
  }

  /** Where each image token (attention column) comes from. */
  public List<ImageTokenLocation> imageTokens() {
    return imageTokens;
  }

  /** The scratchpad that made this answer, if it came from a model. */
  public java.util.Optional<Scratchpad> source() {
    return java.util.Optional.ofNullable(source);
  }

  // ---- analyses (visualscratchpad-analysis) ----

  /** Latents ranked per generated token and over the answer, attention-weighted. */
  public LatentRanking rankLatents() {
    return rankLatents(RankOptions.defaults());
  }

  public LatentRanking rankLatents(RankOptions rankOptions) {
    return AnalysisProvider.get().rank(this, rankOptions);
  }

  /** The token-latent heatmap with the default options (top 20 per token, noisy latents filtered). */
  public TokenLatentHeatmap heatmap() {
    return heatmap(HeatmapOptions.defaults());
  }

  public TokenLatentHeatmap heatmap(HeatmapOptions heatmapOptions) {
    return AnalysisProvider.get().heatmap(this, heatmapOptions);
  }

  /** The default heatmap, clustered with the default options. */
  public LatentClusters cluster() {
    return heatmap().cluster();
  }

  // ---- interventions ----

  /** Plans the ablation of {@code latentIds} on every token (CLS included); run it with {@code regenerate()}. */
  public Experiment ablate(int... latentIds) {
    return experiment().ablate(latentIds);
  }

  public Experiment ablate(Collection<Integer> latentIds) {
    return experiment().ablate(latentIds);
  }

  /** Plans the ablation of a heatmap cluster's latents. */
  public Experiment ablate(LatentCluster cluster) {
    return experiment().ablate(cluster.latentIds());
  }

  /** Plans setting {@code latentId} to {@code value} on every patch (CLS untouched). */
  public Experiment steer(int latentId, float value) {
    return experiment().with(LatentIntervention.setValue(List.of(latentId), value, TokenScope.patchesOnly()));
  }

  /** Plans any intervention. */
  public Experiment with(LatentIntervention intervention) {
    return experiment().with(intervention);
  }

  /** An empty experiment on this answer, to which edits are added. */
  public Experiment experiment() {
    return new Experiment(this, InterventionPlan.none());
  }

  /** Asks again with this answer's image, prompt and options (plan included), in a fresh call. */
  public Answer regenerate() {
    return regenerate(options.plan());
  }

  /** Asks again under {@code newPlan}. */
  public Answer regenerate(InterventionPlan newPlan) {
    if (source == null) {
      throw new ScratchpadException("this answer was loaded without a model, so it cannot be regenerated. "
          + "Open the session with a loaded Scratchpad to continue it.");
    }
    return source.ask(image, prompt, options.withPlan(newPlan));
  }

  /** This answer and {@code other} side by side, token by token. */
  public AnswerDiff diff(Answer other) {
    return AnswerDiff.of(this, other);
  }

  @Override
  public String toString() {
    SparseActivations a0 = activations.get(0);
    return String.format(Locale.ROOT, "Answer[\"%s\" (%d tokens), %d crop(s) [%d x %d, mean L0 %.1f], plan: %s]",
        text(), generated.size(), activations.size(), a0.rows(), a0.dSae(), a0.meanL0(),
        describe(plan()));
  }

  /**
   * A plan for printing: {@code no edit}, or its edits and the error term ({@code [ablate [3] on all];
   * error term DROP}), so that a printed result says the setting it was made with.
   */
  static String describe(InterventionPlan p) {
    if (p.isIdentity()) {
      return "no edit";
    }
    return (p.edits().isEmpty() ? "no edit" : p.edits().toString()) + "; error term " + p.errorTerm();
  }

  private static BufferedImage copy(BufferedImage src) {
    if (src == null) {
      return null;
    }
    BufferedImage c = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
    c.getGraphics().drawImage(src, 0, 0, null);
    return c;
  }

  static List<Integer> ids(int... latentIds) {
    List<Integer> l = new ArrayList<>(latentIds.length);
    for (int id : latentIds) {
      l.add(id);
    }
    return l;
  }
}
