package org.visualscratchpad.analysis.render;

import java.awt.Color;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/**
 * A sequential colour scale from {@code min} to {@code max} (a perceptually ordered dark-blue to
 * yellow ramp, readable in grey-scale print), and the categorical palette for clusters.
 *
 * <pre>{@code
 * jshell> var scale = ColorScale.of(0, 1); scale.color(0.5)
 * }</pre>
 *
 * @param min value mapped to the first colour
 * @param max value mapped to the last colour ({@code > min}; equal bounds are widened by 1)
 * @param greys a grey ramp instead of the colour ramp
 */
public record ColorScale(double min, double max, boolean greys) {
  // anchors of a viridis-like ramp (dark blue -> teal -> green -> yellow)
  private static final int[][] RAMP = {
      {68, 1, 84}, {72, 40, 120}, {62, 74, 137}, {49, 104, 142}, {38, 130, 142},
      {31, 158, 137}, {53, 183, 121}, {109, 205, 89}, {180, 222, 44}, {253, 231, 37}};
  private static final Color[] PALETTE = {
      new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
      new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127),
      new Color(188, 189, 34), new Color(23, 190, 207)};

  public ColorScale(double min, double max) {
    this(min, max, false);
  }

  public ColorScale {
    InvalidInputException.check(Double.isFinite(min) && Double.isFinite(max), "colour scale bounds (%s, %s) must be finite", min, max);
    if (!(max > min)) {
      max = min + 1;
    }
  }

  /** A black-to-white scale over {@code [min, max]} (the legend of a darkening mask). */
  public static ColorScale grey(double min, double max) {
    return new ColorScale(min, max, true);
  }

  /** A scale over {@code [min, max]}. */
  public static ColorScale of(double min, double max) {
    return new ColorScale(min, max);
  }

  /** The colour of {@code value} (clamped into the range; NaN is grey). */
  public Color color(double value) {
    if (Double.isNaN(value)) {
      return Color.LIGHT_GRAY;
    }
    double u = Math.max(0, Math.min(1, (value - min) / (max - min)));
    if (greys) {
      int v = (int) Math.round(255 * (0.25 + 0.75 * u));
      return new Color(v, v, v);
    }
    double t = u * (RAMP.length - 1);
    int i = Math.min((int) t, RAMP.length - 2);
    double f = t - i;
    int[] a = RAMP[i];
    int[] b = RAMP[i + 1];
    return new Color((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])),
        (int) Math.round(a[2] + f * (b[2] - a[2])));
  }

  /** The colour of cluster {@code label} (10 colours, repeating). */
  public static Color category(int label) {
    return PALETTE[Math.floorMod(label, PALETTE.length)];
  }

  /** A tick label for a value. */
  static String format(double v) {
    if (v == 0) {
      return "0";
    }
    double a = Math.abs(v);
    return a >= 1e4 || a < 1e-3 ? String.format(Locale.ROOT, "%.1e", v) : String.format(Locale.ROOT, "%.3g", v);
  }

  /** A vertical legend bar with min/mid/max ticks and a title. */
  void drawLegend(Canvas c, double x, double y, double w, double h, String title) {
    int steps = 64;
    for (int i = 0; i < steps; i++) {
      double v = max - (max - min) * (i + 0.5) / steps;
      c.fillRect(x, y + h * i / steps, w, h / steps + 0.6, color(v));
    }
    c.strokeRect(x, y, w, h, Color.DARK_GRAY, 1);
    Color ink = Color.BLACK;
    c.text(x + w + 4, y + 5, format(max), 12, false, ink, Canvas.Anchor.START, false);
    c.text(x + w + 4, y + h / 2 + 4, format((min + max) / 2), 12, false, ink, Canvas.Anchor.START, false);
    c.text(x + w + 4, y + h + 4, format(min), 12, false, ink, Canvas.Anchor.START, false);
    c.text(x - 6, y + h / 2, title, 12, false, ink, Canvas.Anchor.MIDDLE, true);
  }
}
