package org.visualscratchpad.sae.train;

import java.util.Iterator;
import java.util.SplittableRandom;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Synthetic activations made from a known sparse dictionary: {@code features} random unit
 * directions in {@code dIn} dimensions; each row adds {@code active} of them (chosen uniformly) with
 * non-negative magnitudes in [0.5, 2), plus Gaussian noise of standard deviation {@code noise}.
 */
final class SyntheticDictionary {
  final int dIn;
  final int features;
  final int active;
  final double noise;
  final float[][] directions;
  private final SplittableRandom rnd;

  SyntheticDictionary(int dIn, int features, int active, double noise, long seed) {
    this.dIn = dIn;
    this.features = features;
    this.active = active;
    this.noise = noise;
    this.rnd = new SplittableRandom(seed);
    directions = new float[features][dIn];
    for (float[] d : directions) {
      double n = 0;
      for (int i = 0; i < dIn; i++) {
        d[i] = (float) gaussian();
        n += d[i] * d[i];
      }
      for (int i = 0; i < dIn; i++) {
        d[i] /= (float) Math.sqrt(n);
      }
    }
  }

  double gaussian() {
    return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  FloatMatrix batch(int rows) {
    float[] x = new float[rows * dIn];
    for (int r = 0; r < rows; r++) {
      for (int a = 0; a < active; a++) {
        int f = rnd.nextInt(features);
        float c = (float) (0.5 + 1.5 * rnd.nextDouble());
        for (int i = 0; i < dIn; i++) {
          x[r * dIn + i] += c * directions[f][i];
        }
      }
      for (int i = 0; i < dIn; i++) {
        x[r * dIn + i] += (float) (noise * gaussian());
      }
    }
    return FloatMatrix.adopt(rows, dIn, x);
  }

  Iterator<FloatMatrix> batches(int rows) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public FloatMatrix next() {
        return batch(rows);
      }
    };
  }

  /** Fraction of true directions whose best decoder row has cosine >= threshold. */
  double recovered(TrainedSae sae, double threshold) {
    int hit = 0;
    for (float[] truth : directions) {
      double best = -1;
      for (int j = 0; j < sae.config().dSae(); j++) {
        float[] dec = sae.decoderDirection(j);
        double dot = 0;
        double n = 0;
        for (int i = 0; i < dIn; i++) {
          dot += dec[i] * truth[i];
          n += dec[i] * dec[i];
        }
        best = Math.max(best, dot / Math.sqrt(n));
      }
      if (best >= threshold) {
        hit++;
      }
    }
    return (double) hit / features;
  }
}
