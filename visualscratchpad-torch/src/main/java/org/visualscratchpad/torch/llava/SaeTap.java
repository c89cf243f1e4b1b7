package org.visualscratchpad.torch.llava;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.sae.SparseAutoencoder;

/**
 * An SAE at its hook point on the vision tower for one call: the stream {@code z} of every crop is
 * recorded and, unless the plan is the identity, replaced by {@code sae.intervene(z, crop, plan)}.
 *
 * <pre>{@code
 * jshell> new SaeTap(sae, InterventionPlan.of(LatentIntervention.ablate(List.of(196, 96, 173))))
 * }</pre>
 *
 * @param sae the SAE; its config's hook point says where it reads
 * @param plan the edits (identity = read only)
 */
public record SaeTap(SparseAutoencoder sae, InterventionPlan plan) {
  public SaeTap {
    InvalidInputException.check(sae != null, "SAE must not be null");
    plan = plan == null ? InterventionPlan.none() : plan;
  }

  /** Read only: record the stream, change nothing. */
  public static SaeTap read(SparseAutoencoder sae) {
    return new SaeTap(sae, InterventionPlan.none());
  }

  /** Where the SAE reads. */
  public HookPoint hookPoint() {
    return sae.config().hookPoint();
  }
}
