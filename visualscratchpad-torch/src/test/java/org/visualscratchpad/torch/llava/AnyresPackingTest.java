package org.visualscratchpad.torch.llava;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.visualscratchpad.torch.input.layout.FeatureSelect;
import org.visualscratchpad.torch.input.layout.LlavaNextFeatureLayout;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;

/**
 * LLaVA-NeXT's packing index math, as the model uses it: {@link LlavaNextFeatureLayout} from the image size
 * alone (the one layout the input pipeline and the model share).
 */
class AnyresPackingTest {

  private static LlavaNextFeatureLayout layout(int h, int w) {
    return LlavaNextFeatureLayout.forModel(new ImageSize(h, w), PreprocessorConfig.LLAVA_NEXT_PINPOINTS, 336, 14,
        FeatureSelect.DEFAULT);
  }

  /** The worked examples of the architecture spec (section 3.4), computed from HF's formulas. */
  @ParameterizedTest
  @CsvSource({
      "480, 640, 2, 2, 6, 42, 0, 48, 2340, 5",
      "640, 480, 2, 2, 0, 48, 6, 42, 2352, 5",
      "899, 1024, 2, 2, 3, 45, 0, 48, 2634, 5",
      "500, 316, 2, 1, 5, 43, 0, 24, 1526, 3",
      "336, 336, 1, 2, 0, 24, 12, 36, 1176, 3",
      "1000, 1000, 2, 2, 0, 48, 0, 48, 2928, 5",
      "300, 1200, 1, 3, 3, 21, 0, 72, 1890, 4"})
  void token_counts_and_kept_grid_match_the_llava_next_processor(int h, int w, int tileRows, int tileCols, int rs,
      int re, int cs, int ce, int tokens, int crops) {
    LlavaNextFeatureLayout l = layout(h, w);
    assertEquals(tileRows, l.geometry().gridRows(), l.toString());
    assertEquals(tileCols, l.geometry().gridCols(), l.toString());
    assertEquals(rs, l.keptRowStart(), l.toString());
    assertEquals(re, l.keptRowEnd(), l.toString());
    assertEquals(cs, l.keptColStart(), l.toString());
    assertEquals(ce, l.keptColEnd(), l.toString());
    assertEquals(tokens, l.tokenCount(), l.toString());
    assertEquals(crops, l.cropCount(), l.toString());
  }

  @ParameterizedTest
  @CsvSource({"480, 640", "500, 316", "300, 1200"})
  void newline_tokens_end_every_kept_row_and_grid_cells_map_to_tiles(int h, int w) {
    LlavaNextFeatureLayout l = layout(h, w);
    int base = 24 * 24;
    int keptCols = l.keptColEnd() - l.keptColStart();
    int newlines = 0;
    int[] rows = l.featureSourceRows();
    for (int k = 0; k < l.tokenCount(); k++) {
      int src = rows[k];
      if (src < 0) {
        newlines++;
        assertEquals(keptCols, (k - base) % (keptCols + 1));
      } else if (k < base) {
        assertEquals(k, src);
      } else {
        int m = k - base;
        int row = m / (keptCols + 1) + l.keptRowStart();
        int col = m % (keptCols + 1) + l.keptColStart();
        int crop = src / base;
        assertEquals(1 + (row / 24) * l.geometry().gridCols() + col / 24, crop);
        assertEquals((row % 24) * 24 + col % 24, src % base);
      }
    }
    assertEquals(l.newlineCount(), newlines);
  }
}
