package org.visualscratchpad.analysis.render;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/**
 * The data of a scatter plot (statistics scatter, UMAP of decoder directions), as a web page or
 * {@link ScatterPicture} consumes it: {@code n} points with optional integer labels (clusters;
 * -1 = none), optional log axes and reference lines (filter thresholds). Fluent: every {@code with}
 * returns a new value.
 *
 * <pre>{@code
 * jshell> var plot = ScatterPlot.of("stats", "frequency", "mean activation", freq, mean).withLogX(true).withVerticalLine(0.21, "top 2%")
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ScatterPlot {
  /** A reference line at {@code value}: vertical (x) or horizontal (y). */
  public record Line(boolean vertical, double value, String label) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final float[] x;
  private final float[] y;
  private final int[] labels;
  private final boolean logX;
  private final boolean logY;
  private final List<Line> lines;
  private final java.util.Map<Integer, String> labelNames;

  private ScatterPlot(String title, String xLabel, String yLabel, float[] x, float[] y, int[] labels, boolean logX,
      boolean logY, List<Line> lines, java.util.Map<Integer, String> labelNames) {
    this.labelNames = java.util.Map.copyOf(labelNames);
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.x = x;
    this.y = y;
    this.labels = labels;
    this.logX = logX;
    this.logY = logY;
    this.lines = List.copyOf(lines);
  }

  /**
   * Points {@code (x[i], y[i])}, copied.
   *
   * @throws InvalidInputException if lengths differ or a coordinate is NaN or infinite
   */
  public static ScatterPlot of(String title, String xLabel, String yLabel, float[] x, float[] y) {
    InvalidInputException.check(x.length == y.length, "x (%s) and y (%s) must have the same length", x.length, y.length);
    for (int i = 0; i < x.length; i++) {
      InvalidInputException.check(Float.isFinite(x[i]) && Float.isFinite(y[i]),
          "point %s (%s, %s) must be finite", i, x[i], y[i]);
    }
    int[] none = new int[x.length];
    Arrays.fill(none, -1);
    return new ScatterPlot(title, xLabel, yLabel, x.clone(), y.clone(), none, false, false, List.of(), java.util.Map.of());
  }

  /** With a label per point (clusters; -1 = unlabelled). */
  public ScatterPlot withLabels(int[] pointLabels) {
    InvalidInputException.check(pointLabels.length == x.length, "labels (%s) must match the points (%s)", pointLabels.length, x.length);
    return new ScatterPlot(title, xLabel, yLabel, x, y, pointLabels.clone(), logX, logY, lines, labelNames);
  }

  /** With a logarithmic x axis (points with x <= 0 are drawn at the axis minimum). */
  public ScatterPlot withLogX(boolean log) {
    return new ScatterPlot(title, xLabel, yLabel, x, y, labels, log, logY, lines, labelNames);
  }

  public ScatterPlot withLogY(boolean log) {
    return new ScatterPlot(title, xLabel, yLabel, x, y, labels, logX, log, lines, labelNames);
  }

  public ScatterPlot withVerticalLine(double value, String label) {
    List<Line> l = new ArrayList<>(lines);
    l.add(new Line(true, value, label));
    return new ScatterPlot(title, xLabel, yLabel, x, y, labels, logX, logY, l, labelNames);
  }

  public ScatterPlot withHorizontalLine(double value, String label) {
    List<Line> l = new ArrayList<>(lines);
    l.add(new Line(false, value, label));
    return new ScatterPlot(title, xLabel, yLabel, x, y, labels, logX, logY, l, labelNames);
  }

  /** With legend names for labels (a label without a name shows as "cluster N"). */
  public ScatterPlot withLabelNames(java.util.Map<Integer, String> names) {
    return new ScatterPlot(title, xLabel, yLabel, x, y, labels, logX, logY, lines, names);
  }

  /** The legend name of {@code label}. */
  public String labelName(int label) {
    return labelNames.getOrDefault(label, "cluster " + label);
  }

  public String title() {
    return title;
  }

  public String xLabel() {
    return xLabel;
  }

  public String yLabel() {
    return yLabel;
  }

  public int size() {
    return x.length;
  }

  public float x(int point) {
    return x[point];
  }

  public float y(int point) {
    return y[point];
  }

  public int label(int point) {
    return labels[point];
  }

  public boolean logX() {
    return logX;
  }

  public boolean logY() {
    return logY;
  }

  public List<Line> lines() {
    return lines;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "ScatterPlot['%s', %d points, x '%s'%s, y '%s'%s, %d lines]", title, x.length, xLabel,
        logX ? " (log)" : "", yLabel, logY ? " (log)" : "", lines.size());
  }
}
