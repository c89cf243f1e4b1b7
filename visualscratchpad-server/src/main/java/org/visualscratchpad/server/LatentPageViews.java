package org.visualscratchpad.server;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.visualscratchpad.sae.stats.LatentStatistics;
import org.visualscratchpad.sae.stats.PatchMask;
import org.visualscratchpad.sae.stats.TopImage;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/**
 * What the latent page shows from {@link LatentStatistics}: its reference images (the top-k images
 * with their patch masks, drawn over the image), the label entropy, and the activation distribution
 * that the stored aggregate allows (the statistics keep sums, sums of squares, maxima and the top-k
 * masks, not a full histogram; see {@link #distribution}).
 *
 * <pre>{@code
 * jshell> LatentPageViews.maskOver(image, stats.topImages(42).get(0).mask(), 3.5f)   // a PNG-ready picture
 * }</pre>
 */
final class LatentPageViews {
  /** Smallest side of a served reference picture, in pixels (small scenes are scaled up, pixelated). */
  static final int MIN_SIDE = 192;
  /** Largest side of a served reference picture, in pixels (large photos are scaled down). */
  static final int MAX_SIDE = 448;

  private LatentPageViews() {}

  /**
   * The reference-image entries {@code [{rank, imageId, label, activation, activeTokens, url}]}, best
   * first; {@code url} is {@code null} when {@code source} does not hold the image.
   */
  static List<Map<String, Object>> references(int latentId, LatentStatistics stats, ReferenceImages source) {
    List<Map<String, Object>> out = new ArrayList<>();
    List<TopImage> top = stats.topImages(latentId);
    for (int rank = 0; rank < top.size(); rank++) {
      TopImage t = top.get(rank);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rank", rank);
      m.put("imageId", t.imageId());
      m.put("label", t.label());
      m.put("activation", t.activation());
      m.put("activeTokens", t.mask().activeCount());
      m.put("tokens", t.mask().tokenCount());
      m.put("url", "api/latents/" + latentId + "/reference/" + rank);
      out.add(m);
    }
    return out;
  }

  /** The largest masked activation over a latent's top images (the shared scale of its masks; 0 if none). */
  static float maskScale(List<TopImage> top) {
    float max = 0;
    for (TopImage t : top) {
      for (float v : t.mask().values()) {
        max = Math.max(max, v);
      }
    }
    return max;
  }

  /**
   * What can honestly be said about the activation distribution from the stored aggregate: over the
   * tokens where the latent fires, the count, mean, standard deviation and maximum; and a histogram
   * of the per-token activations inside the top-k images' masks ({@code bins} equal bins from 0 to
   * the maximum). The statistics store no histogram over the whole dataset.
   */
  static Map<String, Object> distribution(int latentId, LatentStatistics s, int bins) {
    Map<String, Object> m = new LinkedHashMap<>();
    long n = s.patchCount(latentId);
    m.put("firingTokens", n);
    m.put("tokens", s.tokens());
    m.put("images", s.images());
    m.put("firingImages", s.imageCount(latentId));
    double mean = n == 0 ? 0 : s.sum(latentId) / n;
    double var = n == 0 ? 0 : Math.max(0, s.sumOfSquares(latentId) / n - mean * mean);
    m.put("meanWhenFiring", mean);
    m.put("stdWhenFiring", Math.sqrt(var));
    m.put("max", s.max(latentId));
    m.put("meanActivationWhenFiring", s.meanActivationWhenFiring(latentId));
    List<TopImage> top = s.topImages(latentId);
    float max = maskScale(top);
    long[] counts = new long[bins];
    long values = 0;
    for (TopImage t : top) {
      for (float v : t.mask().values()) {
        int b = max > 0 ? (int) Math.min(bins - 1, Math.floor(v / max * bins)) : 0;
        counts[Math.max(0, b)]++;
        values++;
      }
    }
    m.put("topImagesHistogram", Map.of("from", 0, "to", max, "counts", counts, "values", values, "images", top.size()));
    m.put("imageActivations", top.stream().map(TopImage::activation).toList());
    return m;
  }

  /**
   * {@code image} (scaled up to at least {@value #MIN_SIDE} px, or down to at most {@value #MAX_SIDE}) with the mask of its first crop: every
   * patch of the centre square darkened in proportion to how weak the latent is there (relative to
   * {@code scale}), and active patches outlined. The patch grid is {@code g x g} where the mask has
   * {@code crops x (1 + g^2)} tokens (CLS first in each crop). A single crop (LLaVA-1.5, CLIP) is
   * drawn over the centre square, where CLIP's centre crop takes its pixels; with several crops
   * (LLaVA-NeXT) the first is the base view, the whole image squashed to a square, so its grid is
   * drawn over the whole image. Both are exact; the high-resolution tiles of LLaVA-NeXT need the
   * model's layout (the overload below).
   */
  static BufferedImage maskOver(BufferedImage image, PatchMask mask, float scale) {
    return maskOver(image, mask, scale, null);
  }

  /**
   * As {@link #maskOver(BufferedImage, PatchMask, float)}, but with the model's own layout of the
   * image's tokens ({@code Scratchpad.imageTokenLayout}): when the mask spans several crops (LLaVA-NeXT's
   * base view and high-resolution tiles) every pixel is darkened by the strongest token covering it,
   * tiles included. Each token reads its SAE row ({@code ImageTokenLocation.saeRow}), so towers without a CLS row
   * (SigLIP: LLaVA-OneVision) are drawn right; the rows per crop are the mask's tokens over the layout's crops.
   * A single crop without CLS (Qwen2-VL, rows in merge-window order) is drawn by its boxes as well, each row at its
   * raster place. Without a layout, or for a single CLIP crop, the grid drawing above is used (it assumes a CLS row
   * per crop).
   */
  static BufferedImage maskOver(BufferedImage image, PatchMask mask, float scale, List<ImageTokenLocation> layout) {
    int crops = layout == null ? 1 : layout.stream().mapToInt(ImageTokenLocation::crop).max().orElse(0) + 1;
    // one crop of a tower without CLS (Qwen2-VL: its rows in 2 x 2 merge-window order) is drawn by its boxes too
    boolean noCls = layout != null && layout.stream().anyMatch(l -> l.saeRow() != l.patchIndex() + 1);
    if (layout != null && (crops > 1 || noCls) && mask.tokenCount() % crops == 0
        && fits(layout, mask.tokenCount() / crops, mask.tokenCount())) {
      return maskOverBoxes(image, mask, scale, layout, mask.tokenCount() / crops);
    }
    int perCrop = tokensPerCrop(mask.tokenCount());
    int grid = (int) Math.round(Math.sqrt(perCrop - 1));
    if (grid * grid != perCrop - 1) {
      grid = 0; // not a square patch grid: the picture is shown without a mask
    }
    float[] dense = mask.toDense();
    BufferedImage out = scaled(image);
    int w = out.getWidth();
    int h = out.getHeight();
    int factor = Math.max(1, w / image.getWidth());
    Graphics2D g = out.createGraphics();
    if (grid > 0) {
      boolean baseView = mask.tokenCount() > perCrop;
      int side = Math.min(w, h);
      double left = baseView ? 0 : (w - side) / 2.0;
      double top = baseView ? 0 : (h - side) / 2.0;
      double cellW = (baseView ? w : side) / (double) grid;
      double cellH = (baseView ? h : side) / (double) grid;
      g.setStroke(new BasicStroke(Math.max(1f, factor / 2f)));
      for (int p = 0; p < grid * grid; p++) {
        float v = dense[1 + p];
        double strength = scale > 0 ? Math.max(0, Math.min(1, v / scale)) : 0;
        int x0 = (int) Math.round(left + (p % grid) * cellW);
        int y0 = (int) Math.round(top + (p / grid) * cellH);
        int x1 = (int) Math.round(left + (p % grid + 1) * cellW);
        int y1 = (int) Math.round(top + (p / grid + 1) * cellH);
        int dim = (int) Math.round(170 * (1 - strength));
        if (dim > 0) {
          g.setColor(new Color(0, 0, 0, dim));
          g.fillRect(x0, y0, x1 - x0, y1 - y0);
        }
        if (v > 0) {
          g.setColor(new Color(230, 30, 30));
          g.drawRect(x0, y0, x1 - x0 - 1, y1 - y0 - 1);
        }
      }
    }
    g.dispose();
    return out;
  }

  /** {@code image} scaled up to at least {@value #MIN_SIDE} px (nearest neighbour), or a photo down to at most {@value #MAX_SIDE}. */
  private static BufferedImage scaled(BufferedImage image) {
    int factor = Math.max(1, (int) Math.ceil((double) MIN_SIDE / Math.min(image.getWidth(), image.getHeight())));
    int w = image.getWidth() * factor;
    int h = image.getHeight() * factor;
    if (factor == 1 && Math.max(w, h) > MAX_SIDE) {
      // a photo: drawn at most MAX_SIDE px wide or high, so that a latent page of 20 stays light
      double shrink = (double) MAX_SIDE / Math.max(w, h);
      w = Math.max(1, (int) Math.round(w * shrink));
      h = Math.max(1, (int) Math.round(h * shrink));
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, factor > 1
        ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  private static boolean fits(List<ImageTokenLocation> layout, int perCrop, int tokenCount) {
    for (ImageTokenLocation loc : layout) {
      if (loc.saeRow() >= perCrop || loc.crop() * perCrop + loc.saeRow() >= tokenCount) {
        return false;
      }
    }
    return !layout.isEmpty();
  }

  private static BufferedImage maskOverBoxes(BufferedImage image, PatchMask mask, float scale,
      List<ImageTokenLocation> layout, int perCrop) {
    float[] dense = mask.toDense();
    BufferedImage out = scaled(image);
    int w = out.getWidth();
    int h = out.getHeight();
    double sx = (double) w / image.getWidth();
    double sy = (double) h / image.getHeight();
    float[] strength = new float[w * h];
    for (ImageTokenLocation loc : layout) {
      float v = dense[loc.crop() * perCrop + loc.saeRow()];
      float st = scale > 0 ? Math.max(0f, Math.min(1f, v / scale)) : 0f;
      if (st <= 0) {
        continue;
      }
      PixelBox b = loc.box();
      int x0 = Math.max(0, (int) Math.floor(b.x() * sx));
      int y0 = Math.max(0, (int) Math.floor(b.y() * sy));
      int x1 = Math.min(w, (int) Math.ceil((b.x() + b.width()) * sx));
      int y1 = Math.min(h, (int) Math.ceil((b.y() + b.height()) * sy));
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          strength[y * w + x] = Math.max(strength[y * w + x], st);
        }
      }
    }
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double keep = 1 - 170 * (1 - strength[y * w + x]) / 255.0;
        int rgb = out.getRGB(x, y);
        int r = (int) Math.round(((rgb >> 16) & 0xff) * keep);
        int g = (int) Math.round(((rgb >> 8) & 0xff) * keep);
        int bl = (int) Math.round((rgb & 0xff) * keep);
        out.setRGB(x, y, (r << 16) | (g << 8) | bl);
      }
    }
    return out;
  }

  /** The tokens of one crop: the largest {@code 1 + g^2} dividing {@code tokenCount} (g >= 1), else all of them. */
  static int tokensPerCrop(int tokenCount) {
    for (int g = (int) Math.floor(Math.sqrt(tokenCount - 1)); g >= 1; g--) {
      if (tokenCount % (1 + g * g) == 0) {
        return 1 + g * g;
      }
    }
    return tokenCount;
  }
}
