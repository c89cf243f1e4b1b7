package org.visualscratchpad.intervention;

import java.util.ArrayList;
import java.util.List;

/**
 * The edits applied at the SAE hook point during one call, in order (a later edit of the same
 * latent and row sees the earlier one's result), and what happens to the error term.
 *
 * <pre>{@code
 * jshell> var plan = InterventionPlan.of(LatentIntervention.ablate(List.of(3, 7)))
 * plan ==> InterventionPlan[ablate [3, 7] on all; error term KEEP]
 * jshell> plan.with(LatentIntervention.scale(List.of(9), 2f, TokenScope.patchesOnly()))
 * }</pre>
 *
 * @param edits the edits, possibly empty
 * @param errorTerm whether the SAE error term is kept
 */
public record InterventionPlan(List<LatentIntervention> edits, ErrorTerm errorTerm) {
  private static final InterventionPlan NONE = new InterventionPlan(List.of(), ErrorTerm.KEEP);

  public InterventionPlan {
    edits = List.copyOf(edits);
    errorTerm = errorTerm == null ? ErrorTerm.KEEP : errorTerm;
  }

  /** No edit, error term kept: the baseline. */
  public static InterventionPlan none() {
    return NONE;
  }

  /** The given edits with the error term kept. */
  public static InterventionPlan of(LatentIntervention... edits) {
    return new InterventionPlan(List.of(edits), ErrorTerm.KEEP);
  }

  /** This plan plus one more edit. */
  public InterventionPlan with(LatentIntervention edit) {
    List<LatentIntervention> all = new ArrayList<>(edits);
    all.add(edit);
    return new InterventionPlan(all, errorTerm);
  }

  /** This plan with another error-term mode. */
  public InterventionPlan withErrorTerm(ErrorTerm mode) {
    return new InterventionPlan(edits, mode);
  }

  /** True when the plan changes nothing: no edit and the error term kept. */
  public boolean isIdentity() {
    return edits.isEmpty() && errorTerm == ErrorTerm.KEEP;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("InterventionPlan[");
    for (int i = 0; i < edits.size(); i++) {
      sb.append(i == 0 ? "" : "; ").append(edits.get(i));
    }
    return sb.append(edits.isEmpty() ? "no edit" : "").append("; error term ").append(errorTerm).append(']').toString();
  }
}
