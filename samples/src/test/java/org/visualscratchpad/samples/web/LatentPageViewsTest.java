package org.visualscratchpad.samples.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.sae.stats.PatchMask;

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
  void tokens_per_crop_are_the_largest_cls_plus_square_grid_dividing_the_count() {
    assertEquals(17, LatentPageViews.tokensPerCrop(17));
    assertEquals(577, LatentPageViews.tokensPerCrop(577));
    assertEquals(577, LatentPageViews.tokensPerCrop(5 * 577));
    assertEquals(7, LatentPageViews.tokensPerCrop(7), "no square grid: the whole image, drawn without a mask");
  }
}
