package org.visualscratchpad.analysis.render;

import java.awt.Color;
import java.util.TreeSet;
import org.visualscratchpad.scratchpad.Picture;

/**
 * Draws a {@link ScatterPlot}: axes with ticks, points coloured by label, dashed-free reference lines
 * with their labels, and a legend of the labels. PNG always; SVG up to 5,000 points.
 *
 * <pre>{@code
 * jshell> ScatterPicture.render(StatisticsScatter.of(stats, filtered).plot()).save(Path.of("stats.png"))
 * }</pre>
 *
 * <p>Stateless and thread-safe; the same plot gives the same bytes.
 */
public final class ScatterPicture {
  private static final Color UNLABELLED = new Color(31, 119, 180);
  private static final Color LINE = new Color(214, 39, 40);

  private ScatterPicture() {}

  public static Picture render(ScatterPlot plot) {
    int width = 760;
    int height = 560;
    double left = 80;
    double top = 44;
    double plotW = 520;
    double plotH = 440;
    int n = plot.size();
    double[] px = new double[n];
    double[] py = new double[n];
    for (int i = 0; i < n; i++) {
      px[i] = axis(plot.x(i), plot.logX());
      py[i] = axis(plot.y(i), plot.logY());
    }
    double[] xr = range(px, plot, true);
    double[] yr = range(py, plot, false);
    TreeSet<Integer> labelSet = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      if (plot.label(i) >= 0) {
        labelSet.add(plot.label(i));
      }
    }
    double radius = n > 5000 ? 1.4 : n > 500 ? 2.2 : 3.5;
    return Drawing.draw(width, height, n <= 5000, canvas -> {
      canvas.text(16, 26, Fonts.fit(plot.title(), 16, width - 40), 16, true, Color.BLACK, Canvas.Anchor.START, false);
      canvas.strokeRect(left, top, plotW, plotH, Color.DARK_GRAY, 1);
      // ticks
      for (int t = 0; t <= 4; t++) {
        double fx = xr[0] + (xr[1] - xr[0]) * t / 4;
        double sx = left + plotW * t / 4;
        canvas.line(sx, top + plotH, sx, top + plotH + 5, Color.DARK_GRAY, 1);
        canvas.text(sx, top + plotH + 19, ColorScale.format(plot.logX() ? Math.pow(10, fx) : fx), 11, false, Color.BLACK,
            Canvas.Anchor.MIDDLE, false);
        double fy = yr[0] + (yr[1] - yr[0]) * t / 4;
        double sy = top + plotH - plotH * t / 4;
        canvas.line(left - 5, sy, left, sy, Color.DARK_GRAY, 1);
        canvas.text(left - 8, sy + 4, ColorScale.format(plot.logY() ? Math.pow(10, fy) : fy), 11, false, Color.BLACK,
            Canvas.Anchor.END, false);
      }
      canvas.text(left + plotW / 2, top + plotH + 40, plot.xLabel() + (plot.logX() ? " (log scale)" : ""), 13, false,
          Color.BLACK, Canvas.Anchor.MIDDLE, false);
      canvas.text(22, top + plotH / 2, plot.yLabel() + (plot.logY() ? " (log scale)" : ""), 13, false, Color.BLACK,
          Canvas.Anchor.MIDDLE, true);
      for (int i = 0; i < n; i++) {
        double sx = left + plotW * (px[i] - xr[0]) / (xr[1] - xr[0]);
        double sy = top + plotH - plotH * (py[i] - yr[0]) / (yr[1] - yr[0]);
        Color c = plot.label(i) >= 0 ? ColorScale.category(plot.label(i)) : UNLABELLED;
        canvas.circle(sx, sy, radius, new Color(c.getRed(), c.getGreen(), c.getBlue(), 170));
      }
      for (ScatterPlot.Line line : plot.lines()) {
        if (line.vertical()) {
          double v = axis((float) line.value(), plot.logX());
          double sx = left + plotW * (v - xr[0]) / (xr[1] - xr[0]);
          canvas.line(sx, top, sx, top + plotH, LINE, 1.5);
          canvas.text(sx - 4, top + plotH - 8, line.label(), 12, false, LINE, Canvas.Anchor.START, true);
        } else {
          double v = axis((float) line.value(), plot.logY());
          double sy = top + plotH - plotH * (v - yr[0]) / (yr[1] - yr[0]);
          canvas.line(left, sy, left + plotW, sy, LINE, 1.5);
          canvas.text(left + plotW - 4, sy - 5, line.label(), 12, false, LINE, Canvas.Anchor.END, false);
        }
      }
      // legend
      double ly = top + 6;
      int shown = 0;
      for (int label : labelSet) {
        if (shown++ == 20) {
          canvas.text(left + plotW + 20, ly + 10, "…", 12, false, Color.BLACK, Canvas.Anchor.START, false);
          break;
        }
        canvas.circle(left + plotW + 26, ly + 6, 5, ColorScale.category(label));
        canvas.text(left + plotW + 38, ly + 10, plot.labelName(label), 12, false, Color.BLACK, Canvas.Anchor.START, false);
        ly += 18;
      }
      canvas.text(left + plotW + 20, top + plotH, n + " points", 12, false, Color.DARK_GRAY, Canvas.Anchor.START, false);
    });
  }

  private static double axis(float v, boolean log) {
    return log ? Math.log10(Math.max(v, 1e-12f)) : v;
  }

  private static double[] range(double[] values, ScatterPlot plot, boolean xAxis) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    boolean log = xAxis ? plot.logX() : plot.logY();
    for (int i = 0; i < values.length; i++) {
      float raw = xAxis ? plot.x(i) : plot.y(i);
      if (log && raw <= 0) {
        continue;
      }
      lo = Math.min(lo, values[i]);
      hi = Math.max(hi, values[i]);
    }
    for (ScatterPlot.Line line : plot.lines()) {
      if (line.vertical() == xAxis) {
        double v = axis((float) line.value(), log);
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (!(lo <= hi)) {
      lo = 0;
      hi = 1;
    }
    if (hi == lo) {
      lo -= 0.5;
      hi += 0.5;
    }
    double pad = (hi - lo) * 0.04;
    return new double[] {lo - pad, hi + pad};
  }
}
