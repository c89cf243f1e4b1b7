package org.visualscratchpad.torch.input.layout;

/**
 * A chain of exact rational steps that maps a pixel edge of a crop back to the original image on
 * one axis: translate, clip to the current image, rescale. Exact (long numerators) so that box
 * edges are floored/ceiled without float error. Families' layouts use it for their pixel boxes.
 *
 * <pre>{@code
 * jshell> new AxisMap(14).scale(480, 336).floor()    // a 336 px crop's pixel edge 14 in a 480 px image
 * $1 ==> 20
 * }</pre>
 */
public final class AxisMap {
  private long num;
  private long den = 1;

  public AxisMap(long value) {
    this.num = value;
  }

  public AxisMap add(long k) {
    num += k * den;
    return this;
  }

  public AxisMap clip(long lo, long hi) {
    if (num < lo * den) {
      num = lo * den;
    } else if (num > hi * den) {
      num = hi * den;
    }
    return this;
  }

  /** Multiplies by {@code to / from} (a resize from {@code from} to {@code to} pixels, inverted by the caller). */
  public AxisMap scale(long to, long from) {
    num *= to;
    den *= from;
    long g = gcd(Math.abs(num), den);
    if (g > 1) {
      num /= g;
      den /= g;
    }
    return this;
  }

  public int floor() {
    return (int) Math.floorDiv(num, den);
  }

  public int ceil() {
    return (int) -Math.floorDiv(-num, den);
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a == 0 ? 1 : a;
  }
}
