package org.visualscratchpad.torch.llava;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnyresLayoutTest {
  private static final List<int[]> PINPOINTS = List.of(new int[] {336, 672}, new int[] {672, 336},
      new int[] {672, 672}, new int[] {1008, 336}, new int[] {336, 1008});

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
    AnyresLayout l = AnyresLayout.of(h, w, PINPOINTS, 336, 14);
    assertEquals(tileRows, l.tileRows(), l.toString());
    assertEquals(tileCols, l.tileCols(), l.toString());
    assertEquals(rs, l.rowStart(), l.toString());
    assertEquals(re, l.rowEnd(), l.toString());
    assertEquals(cs, l.colStart(), l.toString());
    assertEquals(ce, l.colEnd(), l.toString());
    assertEquals(tokens, l.tokenCount(), l.toString());
    assertEquals(crops, l.numCrops(), l.toString());
  }

  @ParameterizedTest
  @CsvSource({"480, 640", "500, 316", "300, 1200"})
  void newline_tokens_end_every_kept_row_and_grid_cells_map_to_tiles(int h, int w) {
    AnyresLayout l = AnyresLayout.of(h, w, PINPOINTS, 336, 14);
    int base = 24 * 24;
    int newlines = 0;
    for (int k = 0; k < l.tokenCount(); k++) {
      int src = l.sourceOf(k);
      if (src == AnyresLayout.NEWLINE) {
        newlines++;
        assertEquals(l.keptCols(), (k - base) % (l.keptCols() + 1));
      } else if (k < base) {
        assertEquals(k, src);
      } else {
        int m = k - base;
        int row = m / (l.keptCols() + 1) + l.rowStart();
        int col = m % (l.keptCols() + 1) + l.colStart();
        int crop = src / base;
        assertEquals(1 + (row / 24) * l.tileCols() + col / 24, crop);
        assertEquals((row % 24) * 24 + col % 24, src % base);
      }
    }
    assertEquals(l.keptRows(), newlines);
  }
}
