package org.visualscratchpad.scratchpad;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.attention.AttentionTap;
import org.visualscratchpad.attention.AttentionConvention;
import org.visualscratchpad.intervention.InterventionPlan;

/**
 * Options of one {@link Scratchpad#ask} call.
 *
 * <pre>{@code
 * jshell> AskOptions.defaults().withMaxNewTokens(16).withSampling(Sampling.sample(0.7, 0.9, 1))
 * }</pre>
 *
 * @param maxNewTokens the most tokens to generate (&gt;= 1)
 * @param sampling greedy or seeded sampling
 * @param attention which text-to-image attention to record
 * @param plan the interventions applied at the SAE hook during this call
 */
public record AskOptions(int maxNewTokens, Sampling sampling, AttentionTap attention, InterventionPlan plan) {
  public AskOptions {
    InvalidInputException.check(maxNewTokens >= 1, "maxNewTokens (%s) must be >= 1", maxNewTokens);
    sampling = sampling == null ? Sampling.greedy() : sampling;
    attention = attention == null ? AttentionTap.all(AttentionConvention.PRODUCING_STEP) : attention;
    plan = plan == null ? InterventionPlan.none() : plan;
  }

  /** 32 new tokens, greedy, attention of every layer and head (producing step), no intervention. */
  public static AskOptions defaults() {
    return new AskOptions(32, Sampling.greedy(), null, null);
  }

  public AskOptions withMaxNewTokens(int n) {
    return new AskOptions(n, sampling, attention, plan);
  }

  public AskOptions withSampling(Sampling s) {
    return new AskOptions(maxNewTokens, s, attention, plan);
  }

  public AskOptions withAttention(AttentionTap tap) {
    return new AskOptions(maxNewTokens, sampling, tap, plan);
  }

  public AskOptions withPlan(InterventionPlan p) {
    return new AskOptions(maxNewTokens, sampling, attention, p);
  }
}
