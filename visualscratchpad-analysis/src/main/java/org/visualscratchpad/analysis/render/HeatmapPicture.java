package org.visualscratchpad.analysis.render;

import java.awt.Color;
import java.util.List;
import java.util.Optional;
import org.visualscratchpad.scratchpad.Dendrogram;
import org.visualscratchpad.scratchpad.LatentCluster;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.Picture;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Draws the token-latent heatmap: token labels on the left, latent ids below, the dendrogram on top
 * (hierarchical clustering), a coloured band per cluster, and a colour legend. PNG always; SVG while
 * the heatmap has at most 20,000 cells.
 *
 * <pre>{@code
 * jshell> HeatmapPicture.render(answer.heatmap(), answer.cluster()).save(Path.of("heatmap.png"))   // = answer.cluster().picture()
 * }</pre>
 *
 * <p>Stateless and thread-safe; the same heatmap gives the same bytes.
 */
public final class HeatmapPicture {
  private static final int MAX_SVG_CELLS = 20_000;

  private HeatmapPicture() {}

  /**
   * The API's heatmap: with {@code clusters} (null for none) its columns in their leaf order, a band
   * per cluster and the dendrogram of a hierarchical clustering, all read from {@code clusters}
   * (nothing is clustered again).
   */
  public static Picture render(TokenLatentHeatmap heatmap, LatentClusters clusters) {
    String title = "Token-latent heatmap (" + heatmap.options().normalization().name().toLowerCase(java.util.Locale.ROOT)
        + " normalisation, top " + heatmap.options().topK() + " per token)";
    if (clusters == null) {
      return render(title, heatmap.tokens(), heatmap.latentIds(), heatmap.values(), List.of(), Optional.empty(), new int[0]);
    }
    java.util.Map<Integer, Integer> clusterOf = new java.util.HashMap<>();
    for (LatentCluster c : clusters.clusters()) {
      c.latentIds().forEach(id -> clusterOf.put(id, c.index()));
    }
    List<Integer> order = clusters.leafOrder();
    int rows = heatmap.values().rows();
    int cols = order.size();
    float[] values = new float[rows * cols];
    List<Integer> ids = new java.util.ArrayList<>();
    List<Integer> bands = new java.util.ArrayList<>();
    int[] position = new int[cols];
    for (int i = 0; i < cols; i++) {
      int column = order.get(i);
      int latentId = heatmap.latentIds().get(column);
      ids.add(latentId);
      bands.add(clusterOf.get(latentId));
      position[column] = i;
      for (int r = 0; r < rows; r++) {
        values[r * cols + i] = heatmap.values().get(r, column);
      }
    }
    return render(title, heatmap.tokens(), ids, FloatMatrix.adopt(rows, cols, values), bands, clusters.dendrogram(),
        position);
  }

  /**
   * A heatmap from plain parts.
   *
   * @param values {@code [tokens x latents]} in display order
   * @param columnLabels cluster of each displayed column, or an empty list for no bands
   * @param dendrogram merge tree over the columns, or empty
   * @param leafPosition display position of each dendrogram leaf (ignored without a dendrogram)
   */
  public static Picture render(String title, List<String> tokens, List<Integer> latentIds, FloatMatrix values,
      List<Integer> columnLabels, Optional<Dendrogram> dendrogram, int[] leafPosition) {
    int rows = values.rows();
    int cols = values.cols();
    double cellW = Math.max(3, Math.min(24, 900.0 / Math.max(1, cols)));
    double cellH = rows > 60 ? Math.max(4, 900.0 / rows) : 20;
    boolean rowLabels = cellH >= 10;
    boolean colLabels = cellW >= 11;
    float labelSize = 13;
    double labelW = 20;
    if (rowLabels) {
      for (String t : tokens) {
        labelW = Math.max(labelW, Fonts.width(Fonts.fit(Fonts.visible(t), labelSize, 160), labelSize, false));
      }
    }
    double left = 16 + labelW + 8;
    double top = 40;
    double dendroH = dendrogram.isPresent() && cols > 1 ? 90 : 0;
    double bandH = columnLabels.isEmpty() ? 0 : 12;
    double gridTop = top + dendroH + bandH + 4;
    double gridW = cellW * cols;
    double gridH = cellH * rows;
    double bottomH = colLabels ? 50 : 24;
    int width = (int) Math.ceil(left + gridW + 100);
    width = Math.max(width, (int) Math.ceil(Fonts.width(title, 16, true) + 40));
    int height = (int) Math.ceil(gridTop + gridH + bottomH + 10);
    float max = 0;
    float min = 0;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        max = Math.max(max, values.get(r, c));
        min = Math.min(min, values.get(r, c));
      }
    }
    ColorScale scale = ColorScale.of(min, max);
    final double fLeft = left;
    final double fLabelW = labelW;
    return Drawing.draw(width, height, (long) rows * cols <= MAX_SVG_CELLS, canvas -> {
      canvas.text(16, 24, title, 16, true, Color.BLACK, Canvas.Anchor.START, false);
      // dendrogram
      dendrogram.filter(d -> cols > 1).ifPresent(d -> drawDendrogram(canvas, d, leafPosition, fLeft, top, cellW, dendroH));
      // cluster bands
      for (int c = 0; c < columnLabels.size(); c++) {
        canvas.fillRect(fLeft + c * cellW, top + dendroH, cellW + 0.3, bandH - 2, ColorScale.category(columnLabels.get(c)));
      }
      // cells
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          canvas.fillRect(fLeft + c * cellW, gridTop + r * cellH, cellW + 0.3, cellH + 0.3, scale.color(values.get(r, c)));
        }
      }
      canvas.strokeRect(fLeft, gridTop, gridW, gridH, Color.DARK_GRAY, 1);
      // cluster separators
      for (int c = 1; c < columnLabels.size(); c++) {
        if (!columnLabels.get(c).equals(columnLabels.get(c - 1))) {
          canvas.line(fLeft + c * cellW, gridTop, fLeft + c * cellW, gridTop + gridH, Color.WHITE, 1.5);
        }
      }
      if (rowLabels) {
        for (int r = 0; r < rows; r++) {
          canvas.text(fLeft - 6, gridTop + r * cellH + cellH / 2 + 4.5, Fonts.fit(Fonts.visible(tokens.get(r)), labelSize, 160),
              labelSize, false, Color.BLACK, Canvas.Anchor.END, false);
        }
      } else {
        canvas.text(fLeft - 6, gridTop + gridH / 2, rows + " tokens", labelSize, false, Color.BLACK, Canvas.Anchor.MIDDLE, true);
      }
      if (colLabels) {
        for (int c = 0; c < cols; c++) {
          canvas.text(fLeft + c * cellW + cellW / 2 + 3.5, gridTop + gridH + 6, String.valueOf(latentIds.get(c)), 10, false,
              Color.DARK_GRAY, Canvas.Anchor.END, true);
        }
      }
      canvas.text(fLeft + gridW / 2, gridTop + gridH + bottomH - 4, "latents (" + cols + ")", 12, false, Color.BLACK,
          Canvas.Anchor.MIDDLE, false);
      double legendH = Math.min(200, Math.max(80, gridH));
      scale.drawLegend(canvas, fLeft + gridW + 30, gridTop, 16, legendH, "value");
    });
  }

  private static void drawDendrogram(Canvas canvas, Dendrogram d, int[] leafPosition, double left, double top,
      double cellW, double h) {
    int n = d.leaves();
    double[] x = new double[2 * n - 1];
    double[] y = new double[2 * n - 1];
    double maxH = d.maxHeight() > 0 ? d.maxHeight() : 1;
    double bottom = top + h;
    for (int i = 0; i < n; i++) {
      x[i] = left + leafPosition[i] * cellW + cellW / 2;
      y[i] = bottom;
    }
    Color ink = new Color(60, 60, 60);
    for (int m = 0; m < d.merges(); m++) {
      int a = d.left(m);
      int b = d.right(m);
      double ym = bottom - (h - 4) * d.height(m) / maxH;
      x[n + m] = (x[a] + x[b]) / 2;
      y[n + m] = ym;
      canvas.line(x[a], y[a], x[a], ym, ink, 1);
      canvas.line(x[b], y[b], x[b], ym, ink, 1);
      canvas.line(x[a], ym, x[b], ym, ink, 1);
    }
  }
}
