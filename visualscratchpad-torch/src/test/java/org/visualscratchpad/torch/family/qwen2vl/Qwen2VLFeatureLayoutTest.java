package org.visualscratchpad.torch.family.qwen2vl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.checkpoint.TensorFile;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/** Merge-window row order, raster positions and pixel boxes of Qwen2-VL's patches and merged tokens. */
class Qwen2VLFeatureLayoutTest {

  @Test
  void patch_rows_sit_where_transformers_puts_their_rotary_positions() {
    Path dir = Fixtures.folder("qwen2_vl");
    try (TensorFile out = TensorFile.open(dir.resolve("outputs.safetensors"))) {
      float[] angles = out.tensor("vision.rotary_pos_emb").toArray();   // [56, 8]: (y, x) * inv_freq, inv_freq[0] = 1
      Qwen2VLFeatureLayout a = Qwen2VLFeatureLayout.of(new ImageSize(60, 90), new ImageSize(56, 84), 14, 2);
      Qwen2VLFeatureLayout b = Qwen2VLFeatureLayout.of(new ImageSize(120, 64), new ImageSize(112, 56), 14, 2);
      int row = 0;
      for (Qwen2VLFeatureLayout layout : new Qwen2VLFeatureLayout[] {a, b}) {
        for (ImageTokenLocation loc : layout.patchLocations()) {
          assertEquals(angles[row * 8], loc.patchRow(), "row " + row);
          assertEquals(angles[row * 8 + 4], loc.patchCol(), "row " + row);
          row++;
        }
      }
      assertEquals(56, row);
    }
  }

  @Test
  void raster_and_merge_window_orders_are_inverse_permutations() {
    Qwen2VLFeatureLayout layout = Qwen2VLFeatureLayout.of(new ImageSize(120, 64), new ImageSize(112, 56), 14, 2);
    assertEquals(8, layout.gridRows());
    assertEquals(4, layout.gridCols());
    assertEquals(8, layout.mergedTokens());
    boolean[] seen = new boolean[layout.patchCount()];
    for (int p = 0; p < layout.patchCount(); p++) {
      int r = layout.rasterIndex(p);
      seen[r] = true;
      assertEquals(p, layout.patchAtRaster(r));
    }
    for (boolean s : seen) {
      assertEquals(true, s);
    }
    // the third patch row is the first window's lower-left patch
    assertEquals(4, layout.rasterIndex(2));
    // the third window is (row 1, col 0) of the 4 x 2 windows: patches from raster row 2
    assertEquals(8, layout.rasterIndex(8));
  }

  @Test
  void boxes_map_the_resized_pixels_back_to_the_original_image() {
    Qwen2VLFeatureLayout layout = Qwen2VLFeatureLayout.of(new ImageSize(60, 90), new ImageSize(56, 84), 14, 2);
    // 14 px of 84 -> 15 px of 90; 14 px of 56 -> 15 px of 60
    assertEquals(new PixelBox(0, 0, 15, 15), layout.patchLocations().get(0).box());
    assertEquals(new PixelBox(15, 0, 15, 15), layout.patchLocations().get(1).box());
    assertEquals(new PixelBox(0, 15, 15, 15), layout.patchLocations().get(2).box());
    assertEquals(new PixelBox(0, 0, 30, 30), layout.tokenBox(0));
    assertEquals(new PixelBox(60, 30, 30, 30), layout.tokenBox(5));
  }
}
