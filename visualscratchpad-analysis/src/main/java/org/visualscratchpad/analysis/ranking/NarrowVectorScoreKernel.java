package org.visualscratchpad.analysis.ranking;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API score kernel over a block of one vector of tokens (16 with 512-bit vectors): the
 * block's attention ({@code imageTokens x 16} floats, 184 KiB at 2,880 image tokens) stays in L2,
 * and four independent accumulators hide the fma latency. Loaded only when the incubator module is
 * present.
 */
final class NarrowVectorScoreKernel extends ScoreKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  @Override
  int width() {
    return L;
  }

  @Override
  boolean latent(int start, int end, int[] colToken, float[] colValue, float[] attnBlock, float[] out,
      float[] thresholds, int t0) {
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = FloatVector.zero(S);
    FloatVector a2 = FloatVector.zero(S);
    FloatVector a3 = FloatVector.zero(S);
    int e = start;
    for (; e + 3 < end; e += 4) {
      a0 = FloatVector.fromArray(S, attnBlock, colToken[e] * L).fma(FloatVector.broadcast(S, colValue[e]), a0);
      a1 = FloatVector.fromArray(S, attnBlock, colToken[e + 1] * L).fma(FloatVector.broadcast(S, colValue[e + 1]), a1);
      a2 = FloatVector.fromArray(S, attnBlock, colToken[e + 2] * L).fma(FloatVector.broadcast(S, colValue[e + 2]), a2);
      a3 = FloatVector.fromArray(S, attnBlock, colToken[e + 3] * L).fma(FloatVector.broadcast(S, colValue[e + 3]), a3);
    }
    for (; e < end; e++) {
      a0 = FloatVector.fromArray(S, attnBlock, colToken[e] * L).fma(FloatVector.broadcast(S, colValue[e]), a0);
    }
    FloatVector sum = a0.add(a1).add(a2.add(a3));
    sum.intoArray(out, 0);
    return sum.compare(VectorOperators.GT, FloatVector.fromArray(S, thresholds, t0)).anyTrue();
  }
}
