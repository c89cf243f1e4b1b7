package org.visualscratchpad.sae.stats;

/**
 * Per-latent sums kept exactly, so that any split and merge order of a dataset gives bit-identical
 * totals: each value is rounded once to a fixed-point integer ({@code round(v * 2^scaleBits)}) and
 * the integers are added in 128 bits ({@code hi}, unsigned {@code lo}). Integer addition is
 * associative and commutative; floating-point addition is not.
 */
final class ExactSums {
  final int scaleBits;
  final long[] hi;
  final long[] lo;
  private final double limit;

  ExactSums(int size, int scaleBits) {
    this(scaleBits, new long[size], new long[size]);
  }

  ExactSums(int scaleBits, long[] hi, long[] lo) {
    this.scaleBits = scaleBits;
    this.hi = hi;
    this.lo = lo;
    this.limit = Math.scalb(1.0, 62 - scaleBits);
  }

  /** The largest magnitude {@link #add} accepts. */
  double limit() {
    return limit;
  }

  /** Adds {@code value} (|value| < {@link #limit()}) to entry {@code i}. */
  void add(int i, double value) {
    addFixed(i, Math.round(Math.scalb(value, scaleBits)));
  }

  private void addFixed(int i, long v) {
    long before = lo[i];
    long after = before + v;
    lo[i] = after;
    hi[i] += (v >> 63) + (Long.compareUnsigned(after, before) < 0 ? 1 : 0);
  }

  /** Adds all of {@code other} into this. */
  void addAll(ExactSums other) {
    for (int i = 0; i < hi.length; i++) {
      long before = lo[i];
      long after = before + other.lo[i];
      lo[i] = after;
      hi[i] += other.hi[i] + (Long.compareUnsigned(after, before) < 0 ? 1 : 0);
    }
  }

  ExactSums copy() {
    return new ExactSums(scaleBits, hi.clone(), lo.clone());
  }

  /** Entry {@code i} as a double. */
  double get(int i) {
    double unsignedLo = (lo[i] >>> 1) * 2.0 + (lo[i] & 1);
    return Math.scalb(hi[i] * 18446744073709551616.0 + unsignedLo, -scaleBits);
  }
}
