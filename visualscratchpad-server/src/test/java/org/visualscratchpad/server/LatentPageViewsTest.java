package org.visualscratchpad.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.sae.stats.PatchMask;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/** The latent page's pictures: masks over reference images. */
class LatentPageViewsTest {

  static BufferedImage grey(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, 0xc8c8c8);
      }
    }
    return img;
  }

  static int brightness(BufferedImage img, int x, int y) {
    Color c = new Color(img.getRGB(x, y));
    return c.getRed() + c.getGreen() + c.getBlue();
  }

  @Test
  void the_strongest_patch_stays_bright_and_inactive_patches_are_darkened() {
    // a 4 x 4 grid (17 tokens with CLS), the latent strongest on patch 5 (row 1, col 1), half on patch 10
    PatchMask mask = PatchMask.of(17, new int[] {6, 11}, new float[] {2f, 1f});
    BufferedImage out = LatentPageViews.maskOver(grey(64, 64), mask, 2f);
    assertEquals(192, out.getWidth(), "64 px scenes are scaled up 3x");
    int cell = 192 / 4;
    int strong = brightness(out, cell + cell / 2, cell + cell / 2);
    int half = brightness(out, 2 * cell + cell / 2, 2 * cell + cell / 2);
    int off = brightness(out, cell / 2, cell / 2);
    assertEquals(3 * 0xc8, strong, "full strength: untouched");
    assertTrue(off < half && half < strong, off + " < " + half + " < " + strong);
  }

  @Test
  void a_wide_photo_is_masked_in_its_centre_square_and_scaled_down() {
    PatchMask mask = PatchMask.of(5, new int[] {1}, new float[] {1f});   // 2 x 2 grid, top-left patch
    BufferedImage out = LatentPageViews.maskOver(grey(1200, 600), mask, 1f);
    assertEquals(LatentPageViews.MAX_SIDE, out.getWidth());
    assertEquals(LatentPageViews.MAX_SIDE / 2, out.getHeight());
    int h = out.getHeight();
    int left = (out.getWidth() - h) / 2;
    assertEquals(3 * 0xc8, brightness(out, 5, h / 2), "outside the centre square: no mask");
    assertTrue(brightness(out, left + h / 4, h / 4) > brightness(out, left + 3 * h / 4, 3 * h / 4), "top-left patch is the bright one");
  }

  @Test
  void with_several_crops_the_base_view_is_drawn_over_the_whole_squashed_image() {
    // LLaVA-NeXT layout: a base view and one tile, each a 4 x 4 grid with CLS (34 tokens); the
    // latent fires on the base view's top-right patch (token 4) and on the tile (not drawn)
    PatchMask mask = PatchMask.of(34, new int[] {4, 20}, new float[] {1f, 1f});
    BufferedImage out = LatentPageViews.maskOver(grey(1200, 600), mask, 1f);
    int w = out.getWidth();
    int h = out.getHeight();
    assertEquals(3 * 0xc8, brightness(out, w - 10, h / 8), "top-right cell of the whole image: active");
    assertTrue(brightness(out, 10, h / 8) < 3 * 0xc8, "left edge lies in the base view's top-left patch: darkened");
    assertTrue(brightness(out, w - 10, 7 * h / 8) < 3 * 0xc8, "bottom-right cell: darkened");
  }

  @Test
  void with_the_models_layout_tiles_are_drawn_and_each_pixel_takes_its_strongest_token() {
    // two crops of a 4 x 4 grid (17 tokens each): the base view covers the whole 200 x 100 image in
    // 50 x 25 cells, the one tile its left half in 25 x 25 cells; the base's top-left patch fires at
    // half strength, the tile's top-left patch at full strength
    List<ImageTokenLocation> layout = new java.util.ArrayList<>();
    int k = 0;
    for (int p = 0; p < 16; p++) {
      layout.add(new ImageTokenLocation(k++, 0, p / 4, p % 4, p, new PixelBox((p % 4) * 50, (p / 4) * 25, 50, 25)));
    }
    for (int p = 0; p < 16; p++) {
      layout.add(new ImageTokenLocation(k++, 1, p / 4, p % 4, p, new PixelBox((p % 4) * 25, (p / 4) * 25, 25, 25)));
    }
    PatchMask mask = PatchMask.of(34, new int[] {1, 18}, new float[] {0.5f, 1f});
    BufferedImage out = LatentPageViews.maskOver(grey(200, 100), mask, 1f, layout);
    assertEquals(400, out.getWidth(), "scaled up 2x to at least 192 px high");
    int tile = brightness(out, 20, 20);       // tile patch 0 (full) over base patch 0 (half)
    int base = brightness(out, 80, 20);       // base patch 0 (half) over tile patch 1 (silent)
    int off = brightness(out, 300, 150);      // nothing fires
    assertEquals(3 * 0xc8, tile, "full strength: untouched");
    assertTrue(off < base && base < tile, off + " < " + base + " < " + tile);
    BufferedImage grid = LatentPageViews.maskOver(grey(200, 100), mask, 1f, null);
    assertTrue(brightness(grid, 20, 20) < tile, "without the layout only the base view is drawn");
  }

  @Test
  void a_tower_without_cls_reads_each_tokens_sae_row_from_the_layout() {
    // SigLIP-style: two crops of a 4 x 4 grid without CLS (16 tokens each, SAE row = patch index); the tile's
    // patch 0 (token 16) fires: it is drawn at full strength, the base view's patch 0 (token 0) is silent
    List<ImageTokenLocation> layout = new java.util.ArrayList<>();
    int k = 0;
    for (int p = 0; p < 16; p++) {
      layout.add(new ImageTokenLocation(k++, 0, p / 4, p % 4, p, new PixelBox((p % 4) * 50, (p / 4) * 25, 50, 25), p));
    }
    for (int p = 0; p < 16; p++) {
      layout.add(new ImageTokenLocation(k++, 1, p / 4, p % 4, p, new PixelBox((p % 4) * 25, (p / 4) * 25, 25, 25), p));
    }
    PatchMask mask = PatchMask.of(32, new int[] {16}, new float[] {1f});
    BufferedImage out = LatentPageViews.maskOver(grey(200, 100), mask, 1f, layout);
    assertEquals(3 * 0xc8, brightness(out, 20, 20), "tile patch 0: full strength");
    assertTrue(brightness(out, 300, 150) < 3 * 0xc8, "elsewhere: darkened");
    assertTrue(brightness(out, 80, 20) < 3 * 0xc8, "the tile's patch 1 and the base's patch 0: silent");
  }

  @Test
  void tokens_per_crop_are_the_largest_cls_plus_square_grid_dividing_the_count() {
    assertEquals(17, LatentPageViews.tokensPerCrop(17));
    assertEquals(577, LatentPageViews.tokensPerCrop(577));
    assertEquals(577, LatentPageViews.tokensPerCrop(5 * 577));
    assertEquals(7, LatentPageViews.tokensPerCrop(7), "no square grid: the whole image, drawn without a mask");
  }
}
