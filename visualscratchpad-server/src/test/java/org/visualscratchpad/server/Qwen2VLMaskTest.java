package org.visualscratchpad.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.sae.stats.PatchMask;
import org.visualscratchpad.torch.family.qwen2vl.Qwen2VLFeatureLayout;
import org.visualscratchpad.torch.input.preprocess.ImageSize;

/**
 * A reference mask of Qwen2-VL (no CLS row, rows in 2 x 2 merge-window order) is drawn where each row's patch
 * lies in the image, through the model's layout.
 */
class Qwen2VLMaskTest {

  @Test
  void a_merge_window_row_lights_its_raster_patch() {
    // a 60 x 90 image resized to 56 x 84: 4 x 6 patches of 15 x 15 original pixels; row 2 is the first
    // window's lower-left patch, raster (1, 0), pixels x 0..14, y 15..29
    Qwen2VLFeatureLayout layout = Qwen2VLFeatureLayout.of(new ImageSize(60, 90), new ImageSize(56, 84), 14, 2);
    PatchMask mask = PatchMask.of(24, new int[] {2}, new float[] {1f});
    BufferedImage out = LatentPageViews.maskOver(LatentPageViewsTest.grey(90, 60),
        mask, 1f, layout.attribution().locations());
    double s = out.getWidth() / 90.0;
    int lit = LatentPageViewsTest.brightness(out, (int) (7 * s), (int) (22 * s));
    int right = LatentPageViewsTest.brightness(out, (int) (22 * s), (int) (7 * s));   // raster (0, 1): row 1
    int below = LatentPageViewsTest.brightness(out, (int) (7 * s), (int) (37 * s));   // raster (2, 0): row 12
    assertEquals(3 * 0xc8, lit, "the firing patch is left untouched");
    assertTrue(right < lit && below < lit, right + ", " + below + " < " + lit);
  }
}
