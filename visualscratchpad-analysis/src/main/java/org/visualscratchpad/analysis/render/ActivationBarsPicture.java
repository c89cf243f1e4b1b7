package org.visualscratchpad.analysis.render;

import java.awt.Color;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.scratchpad.Picture;

/**
 * A token's top latents as horizontal bars, attention-weighted (left) next to the unweighted mean
 * over patches (right), as in the paper's Fig. 2. Latents in both lists are drawn in the strong
 * colour, the others in grey. PNG and SVG.
 *
 * <pre>{@code
 * jshell> ActivationBarsPicture.render("red", scores.row(1).topK(15), AttentionScorer.meanOverPatches(patches).topK(15))
 * }</pre>
 *
 * <p>Stateless and thread-safe; the same input gives the same bytes.
 */
public final class ActivationBarsPicture {
  private static final Color WEIGHTED = new Color(31, 119, 180);
  private static final Color MEAN = new Color(255, 127, 14);
  private static final Color OTHER = new Color(170, 170, 170);

  private ActivationBarsPicture() {}

  /** Both rankings, best first. */
  public static Picture render(String token, List<RankedLatent> weighted, List<RankedLatent> unweighted) {
    int rows = Math.max(1, Math.max(weighted.size(), unweighted.size()));
    double barH = 20;
    double panelW = 300;
    double top = 64;
    int width = (int) (16 + 2 * (panelW + 70) + 40);
    int height = (int) (top + rows * barH + 30);
    Set<Integer> inWeighted = new HashSet<>();
    weighted.forEach(r -> inWeighted.add(r.latentId()));
    Set<Integer> inMean = new HashSet<>();
    unweighted.forEach(r -> inMean.add(r.latentId()));
    String title = "Latents for token '" + Fonts.visible(token) + "'";
    return Drawing.draw(width, height, true, canvas -> {
      canvas.text(16, 26, title, 16, true, Color.BLACK, Canvas.Anchor.START, false);
      panel(canvas, 16 + 60, top, panelW, barH, "attention-weighted", weighted, inMean, WEIGHTED);
      panel(canvas, 16 + 60 + panelW + 70, top, panelW, barH, "mean over patches", unweighted, inWeighted, MEAN);
      canvas.text(16, height - 10, "grey: not in the other ranking's top " + Math.max(weighted.size(), unweighted.size()), 12,
          false, Color.DARK_GRAY, Canvas.Anchor.START, false);
    });
  }

  private static void panel(Canvas canvas, double x, double top, double w, double barH, String title, List<RankedLatent> list,
      Set<Integer> other, Color color) {
    canvas.text(x, top - 14, title, 13, true, Color.BLACK, Canvas.Anchor.START, false);
    float max = 0;
    for (RankedLatent r : list) {
      max = Math.max(max, r.score());
    }
    for (int i = 0; i < list.size(); i++) {
      RankedLatent r = list.get(i);
      double y = top + i * barH;
      double len = max > 0 ? (w - 60) * r.score() / max : 0;
      canvas.fillRect(x, y + 2, Math.max(1, len), barH - 4, other.contains(r.latentId()) ? color : OTHER);
      canvas.text(x - 6, y + barH / 2 + 4.5, "#" + r.latentId(), 12, false, Color.BLACK, Canvas.Anchor.END, false);
      canvas.text(x + len + 4, y + barH / 2 + 4.5, ColorScale.format(r.score()), 11, false, Color.DARK_GRAY,
          Canvas.Anchor.START, false);
    }
    if (list.isEmpty()) {
      canvas.text(x, top + barH / 2 + 4, "no active latent", 12, false, Color.DARK_GRAY, Canvas.Anchor.START, false);
    }
    canvas.line(x, top, x, top + Math.max(1, list.size()) * barH, Color.DARK_GRAY, 1);
  }
}
