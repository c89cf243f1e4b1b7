package org.visualscratchpad.analysis.ranking;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.scratchpad.RankedLatent;

/**
 * One score per latent, length {@code dSae}: a token's attention-weighted scores, the unweighted
 * mean over patches, or a span's aggregate. Ranks latents by descending score; ties keep the lower
 * latent id first (a stable sort, as numpy's stable argsort of the negated scores).
 *
 * <pre>{@code
 * jshell> var v = LatentScoreVector.of(new float[] {0.1f, 0.5f, 0f, 0.5f})
 * jshell> v.topK(2)
 * $2 ==> [1=0.5000, 3=0.5000]
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class LatentScoreVector {
  private final float[] scores;

  private LatentScoreVector(float[] scores) {
    this.scores = scores;
  }

  /**
   * A copy of {@code scores}.
   *
   * @throws InvalidInputException if a score is not finite
   */
  public static LatentScoreVector of(float[] scores) {
    for (int j = 0; j < scores.length; j++) {
      InvalidInputException.check(Float.isFinite(scores[j]), "score of latent %s (%s) must be finite", j, scores[j]);
    }
    return new LatentScoreVector(scores.clone());
  }

  static LatentScoreVector adopt(float[] scores) {
    return new LatentScoreVector(scores);
  }

  /** Number of latents. */
  public int dSae() {
    return scores.length;
  }

  /** The score of {@code latentId}. */
  public float score(int latentId) {
    return scores[latentId];
  }

  /** All scores, length {@code dSae} (a copy). */
  public float[] toArray() {
    return scores.clone();
  }

  /** Every latent id sorted by descending score, ties by ascending id; length {@code dSae}. */
  public int[] ranking() {
    Integer[] order = new Integer[scores.length];
    for (int j = 0; j < order.length; j++) {
      order[j] = j;
    }
    Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
    int[] out = new int[order.length];
    for (int j = 0; j < out.length; j++) {
      out[j] = order[j];
    }
    return out;
  }

  /**
   * The {@code k} highest-scoring latents with a score above 0, best first (ties by ascending id).
   * Fewer than {@code k} are returned when fewer latents score above 0: inactive latents are never
   * ranked.
   *
   * @throws InvalidInputException if {@code k < 1}
   */
  public List<RankedLatent> topK(int k) {
    InvalidInputException.check(k >= 1, "k (%s) must be >= 1", k);
    int[] order = ranking();
    List<RankedLatent> out = new ArrayList<>(Math.min(k, order.length));
    for (int i = 0; i < order.length && out.size() < k; i++) {
      if (scores[order[i]] > 0f) {
        out.add(new RankedLatent(order[i], scores[order[i]]));
      }
    }
    return List.copyOf(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatentScoreVector v && Arrays.equals(v.scores, scores);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(scores);
  }

  @Override
  public String toString() {
    return "LatentScoreVector[" + scores.length + " latents, top " + topK(5) + "]";
  }
}
