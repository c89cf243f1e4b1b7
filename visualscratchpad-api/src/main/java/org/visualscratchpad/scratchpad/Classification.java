package org.visualscratchpad.scratchpad;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.ScratchpadException;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;
import org.visualscratchpad.sae.SparseActivations;

/**
 * A CLIP zero-shot classification (the paper's second inference mode): probabilities per class,
 * the SAE activations of the image, and the same classification under interventions.
 *
 * <pre>{@code
 * jshell> var c = pad.classify(image, ClassPrompts.of(List.of("cat", "dog")))
 * c ==> Classification[cat 91.2%, dog 8.8%; plan: no edit]
 * jshell> c.drivers("cat", 5)                 // latents whose ablation lowers "cat" most
 * jshell> c.ablate(412, 97).compareTo(c)      // probabilities before and after
 * }</pre>
 *
 * @param source the scratchpad that computed it (null when loaded without a model)
 * @param image the classified image
 * @param prompts class names and templates
 * @param plan the interventions it was computed under
 * @param scores one score per class, in the order of {@code prompts.classNames()}
 * @param activations the SAE activations of the image's crop ({@code [tokens x d_sae]}, row 0 CLS)
 */
public record Classification(Scratchpad source, BufferedImage image, ClassPrompts prompts, InterventionPlan plan,
    List<ClassScore> scores, SparseActivations activations) {

  public Classification {
    scores = List.copyOf(scores);
    InvalidInputException.check(scores.size() == prompts.classNames().size(),
        "scores (%s) must match the classes (%s)", scores.size(), prompts.classNames().size());
  }

  /** The best class. */
  public ClassScore top() {
    return scores.stream().max(Comparator.comparingDouble(ClassScore::probability)).orElseThrow();
  }

  /** The probability of {@code className}. */
  public float probability(String className) {
    return scores.stream().filter(s -> s.className().equals(className)).findFirst()
        .orElseThrow(() -> new InvalidInputException("class (" + className + ") is not one of " + prompts.classNames()))
        .probability();
  }

  /** The same classification with {@code latentIds} ablated on every token. */
  public Classification ablate(int... latentIds) {
    return under(plan.with(LatentIntervention.ablate(Answer.ids(latentIds))));
  }

  /** The same classification with {@code latentId} set to {@code value} on every patch. */
  public Classification steer(int latentId, float value) {
    return under(plan.with(LatentIntervention.setValue(List.of(latentId), value, TokenScope.patchesOnly())));
  }

  /** The same image and prompts under another plan. */
  public Classification under(InterventionPlan newPlan) {
    return requireSource().classify(image, prompts, newPlan);
  }

  /**
   * The latents that drive {@code className}: among the {@code candidates} most active latents of
   * the image (mean over patches), those whose ablation lowers the class's probability most, with
   * that drop as the score.
   */
  public List<RankedLatent> drivers(String className, int candidates) {
    probability(className);
    return requireSource().classDrivers(this, className, candidates);
  }

  /** Per class: this probability, the other's, and the change, as lines. */
  public String compareTo(Classification other) {
    List<String> lines = new ArrayList<>();
    for (ClassScore s : scores) {
      float o = other.probability(s.className());
      lines.add(String.format(java.util.Locale.ROOT, "%-20s %6.2f%% -> %6.2f%% (%+.2f)", s.className(),
          100 * o, 100 * s.probability(), 100 * (s.probability() - o)));
    }
    return String.join(System.lineSeparator(), lines);
  }

  private Scratchpad requireSource() {
    if (source == null) {
      throw new ScratchpadException("this classification was loaded without a model; load the CLIP model to continue it");
    }
    return source;
  }

  @Override
  public String toString() {
    return "Classification[" + scores.stream().sorted(Comparator.comparingDouble(ClassScore::probability).reversed())
        .limit(5).map(ClassScore::toString).reduce((a, b) -> a + ", " + b).orElse("") + "; plan: "
        + (plan.edits().isEmpty() ? "no edit" : plan.edits().toString()) + "]";
  }
}
