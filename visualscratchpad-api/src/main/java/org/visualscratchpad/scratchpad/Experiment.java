package org.visualscratchpad.scratchpad;

import java.util.Collection;
import java.util.List;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;

/**
 * Interventions planned on an answer, not yet run: each method returns a new value; {@link
 * #regenerate()} runs them in a fresh call.
 *
 * <pre>{@code
 * jshell> var exp = answer.ablate(412, 97).steer(1033, 5f)
 * exp ==> Experiment[ablate [412, 97] on all; set [1033] = 5 on patches; error term KEEP]
 * jshell> answer.diff(exp.regenerate())
 * }</pre>
 *
 * @param baseline the answer the interventions apply to
 * @param plan the planned edits
 */
public record Experiment(Answer baseline, InterventionPlan plan) {

  /** Adds an ablation of {@code latentIds} on every token. */
  public Experiment ablate(int... latentIds) {
    return ablate(Answer.ids(latentIds));
  }

  public Experiment ablate(Collection<Integer> latentIds) {
    return with(LatentIntervention.ablate(List.copyOf(latentIds)));
  }

  /** Adds an ablation of {@code latentIds} on the rows of {@code scope}. */
  public Experiment ablate(Collection<Integer> latentIds, TokenScope scope) {
    return with(LatentIntervention.ablate(List.copyOf(latentIds), scope));
  }

  /** Adds setting {@code latentId} to {@code value} on every patch. */
  public Experiment steer(int latentId, float value) {
    return with(LatentIntervention.setValue(List.of(latentId), value, TokenScope.patchesOnly()));
  }

  /** Adds scaling {@code latentId} by {@code factor} on every patch. */
  public Experiment scale(int latentId, float factor) {
    return with(LatentIntervention.scale(List.of(latentId), factor, TokenScope.patchesOnly()));
  }

  /** Adds any intervention (checked against the SAE's d_sae when run). */
  public Experiment with(LatentIntervention edit) {
    return new Experiment(baseline, plan.with(edit));
  }

  /** The same edits with another error-term mode. */
  public Experiment withErrorTerm(ErrorTerm mode) {
    return new Experiment(baseline, plan.withErrorTerm(mode));
  }

  /** Runs the baseline's image and prompt again under this plan. */
  public Answer regenerate() {
    return baseline.regenerate(plan);
  }

  @Override
  public String toString() {
    return "Experiment" + plan.toString().substring("InterventionPlan".length());
  }
}
