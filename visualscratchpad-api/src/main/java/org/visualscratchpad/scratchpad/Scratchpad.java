package org.visualscratchpad.scratchpad;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Iterator;
import java.util.Optional;
import java.util.ServiceLoader;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * The facade: a loaded vision-language model with an SAE on its vision tower. Long-lived,
 * thread-safe for concurrent calls, and {@link AutoCloseable}: {@link #close()} frees native
 * memory and never throws.
 *
 * <pre>{@code
 * jshell> try (var pad = Scratchpad.load(Path.of("llava-1.5-7b-hf"), Path.of("sae"))) {
 *    ...>   System.out.println(pad.sae().config());
 *    ...> }
 * }</pre>
 *
 * <p>The implementation is found with {@link ServiceLoader} ({@code visualscratchpad-torch}
 * provides one).
 */
public interface Scratchpad extends AutoCloseable {

  /** Loads a model folder and an SAE on the CPU. */
  static Scratchpad load(Path model, Path sae) {
    return load(LoadSpec.of(model, sae));
  }

  /**
   * Loads what {@code spec} names with the first {@link ScratchpadProvider} on the class path.
   *
   * @throws ScratchpadException if no backend is on the class path, or loading fails
   */
  static Scratchpad load(LoadSpec spec) {
    Iterator<ScratchpadProvider> it = ServiceLoader.load(ScratchpadProvider.class).iterator();
    if (!it.hasNext()) {
      throw new ScratchpadException("no VisualScratchpad backend (ScratchpadProvider) is on the class path. "
          + "Add the dependency org.visualscratchpad:visualscratchpad-torch.");
    }
    return it.next().open(spec);
  }

  /** The SAE on the vision tower. */
  SparseAutoencoder sae();

  /**
   * What this scratchpad was loaded from (model folder, SAE, statistics), if the backend knows it;
   * saved sessions hash these files to record the model's and the SAE's identity.
   */
  default Optional<LoadSpec> spec() {
    return Optional.empty();
  }

  /** The latent statistics loaded with the SAE, if any (they drive the noisy-latent filter). */
  Optional<DatasetStatistics> statistics();

  /**
   * Where each image token of an image of {@code width x height} pixels comes from (its crop, its
   * patch, the box it covers and its SAE row), as {@link #ask} would lay it out, from the size alone: one
   * entry per column of {@link Answer#attention()} (newline tokens have none; a token that mixes several
   * patches, as LLaVA-OneVision's downscaled grid and Qwen2-VL's merged 2 x 2 windows, is listed as those
   * patches, a merged token's four at consecutive indices). Empty where the backend
   * cannot say (the pictures then assume one centre-cropped view).
   */
  default Optional<List<ImageTokenLocation>> imageTokenLayout(int width, int height) {
    return Optional.empty();
  }

  /** What a scratchpad can do: generate answers ({@link #ask}) or classify zero-shot ({@link #classify}). */
  enum Capability {
    /** {@link #ask}: a LLaVA-style model that generates text. */
    ASK,
    /** {@link #classify}: a CLIP model with its text tower. */
    CLASSIFY
  }

  /**
   * What this scratchpad's model can do; a call outside it throws {@link
   * org.visualscratchpad.UnsupportedCapabilityException}. The default, for backends that only
   * generate: {@code [ASK]}.
   */
  default java.util.Set<Capability> capabilities() {
    return java.util.EnumSet.of(Capability.ASK);
  }

  /**
   * Asks the model about an image with the default options (greedy, 32 new tokens, no edit).
   *
   * @throws org.visualscratchpad.InvalidInputException for a bad image or a prompt too long
   * @throws ScratchpadException if the scratchpad is closed
   */
  default Answer ask(BufferedImage image, String prompt) {
    return ask(image, prompt, AskOptions.defaults());
  }

  /**
   * Asks the model about an image: generates an answer while recording the SAE activations of
   * every crop and the text-to-image attention, under {@code options.plan()}'s interventions.
   * Thread-safe: concurrent calls on one scratchpad give the same answers as sequential ones.
   *
   * @throws org.visualscratchpad.UnsupportedCapabilityException if the model cannot generate text (CLIP)
   */
  Answer ask(BufferedImage image, String prompt, AskOptions options);

  /**
   * Classifies an image zero-shot against class names (CLIP models only), under {@code plan}.
   *
   * @throws org.visualscratchpad.UnsupportedCapabilityException if the loaded model has no CLIP text
   *     tower (LLaVA checkpoints do not)
   */
  default Classification classify(BufferedImage image, ClassPrompts prompts, InterventionPlan plan) {
    throw new org.visualscratchpad.UnsupportedCapabilityException("this scratchpad's model has no CLIP text tower, so it cannot classify. "
        + "Load a CLIPModel checkpoint (e.g. openai/clip-vit-large-patch14-336) for classification.");
  }

  /** {@link #classify(BufferedImage, ClassPrompts, InterventionPlan)} without interventions. */
  default Classification classify(BufferedImage image, ClassPrompts prompts) {
    return classify(image, prompts, InterventionPlan.none());
  }

  /** See {@link Classification#drivers(String, int)}. */
  default List<RankedLatent> classDrivers(Classification classification, String className, int candidates) {
    throw new org.visualscratchpad.UnsupportedCapabilityException("this scratchpad's model cannot classify; load a "
        + "CLIPModel checkpoint");
  }

  /** Frees native memory; later calls fail with a clear error. Never throws. */
  @Override
  void close();
}
