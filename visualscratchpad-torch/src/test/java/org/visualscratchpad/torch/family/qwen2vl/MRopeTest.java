package org.visualscratchpad.torch.family.qwen2vl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.checkpoint.TensorFile;

/** {@code get_rope_index} against the position ids and rope deltas transformers computed for each fixture case. */
class MRopeTest {
  static final MRope.Tokens TOKENS = new MRope.Tokens(195, 196, 197, 2);

  /** The grids of the images a fixture case uses, in order. */
  static List<GridThw> grids(TensorFile in, String kase) {
    long[] all = in.longs("image_grid_thw");
    List<GridThw> out = new ArrayList<>();
    for (long i : in.longs(kase + ".image_indices")) {
      int k = (int) i * 3;
      out.add(new GridThw((int) all[k], (int) all[k + 1], (int) all[k + 2]));
    }
    return out;
  }

  static int[][] mask(TensorFile in, String kase) {
    long[][] m = in.longRows(kase + ".attention_mask");
    int[][] out = new int[m.length][m[0].length];
    for (int i = 0; i < m.length; i++) {
      for (int t = 0; t < m[i].length; t++) {
        out[i][t] = (int) m[i][t];
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"single", "batch", "multi"})
  void position_ids_and_rope_deltas_equal_get_rope_index(String kase) {
    Path dir = Fixtures.folder("qwen2_vl");
    try (TensorFile in = TensorFile.open(dir.resolve("inputs.safetensors"));
        TensorFile out = TensorFile.open(dir.resolve("outputs.safetensors"))) {
      long[][] ids = in.longRows(kase + ".input_ids");
      MRope.RopeIndex idx = MRope.ropeIndex(ids, mask(in, kase), grids(in, kase), TOKENS);
      long[] expected = in.longs(kase + ".position_ids");
      int b = ids.length;
      int len = ids[0].length;
      for (int a = 0; a < 3; a++) {
        long[][] rows = idx.positions(a);
        for (int i = 0; i < b; i++) {
          long[] want = java.util.Arrays.copyOfRange(expected, (a * b + i) * len, (a * b + i + 1) * len);
          assertArrayEquals(want, rows[i], kase + " axis " + a + " row " + i);
        }
      }
      assertArrayEquals(out.longs(kase + ".rope_deltas"), idx.deltas(), kase + " rope_deltas");
    }
  }

  @Test
  void text_only_rows_count_up_with_pads_at_one() {
    MRope.RopeIndex idx = MRope.ropeIndex(new long[][] {{199, 199, 5, 6, 7}}, new int[][] {{0, 0, 1, 1, 1}}, List.of(),
        TOKENS);
    assertArrayEquals(new long[] {1, 1, 0, 1, 2}, idx.positions(1)[0]);
    assertEquals(-2, idx.delta(0));
  }

  @Test
  void an_image_block_shorter_than_its_grid_is_refused() {
    long[][] ids = {{1, 197, 195, 195, 195, 198, 5}};
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> MRope.ropeIndex(ids, null, List.of(new GridThw(1, 4, 6)), TOKENS));
    assertTrue(e.getMessage().contains("needs 6 consecutive image tokens"), e.getMessage());
    e = assertThrows(InvalidInputException.class,
        () -> MRope.ropeIndex(ids, null, List.of(new GridThw(1, 2, 2), new GridThw(1, 2, 2)), TOKENS));
    assertTrue(e.getMessage().contains("2 image grids were given but input_ids hold 1 images"), e.getMessage());
  }

  @Test
  void the_section_splits_the_frequencies_t_h_w() {
    assertArrayEquals(new int[] {0, 0, 1, 1, 1, 2, 2, 2}, MRope.axisOfFrequency(new int[] {2, 3, 3}, 8));
    assertThrows(InvalidInputException.class, () -> MRope.axisOfFrequency(new int[] {2, 3, 4}, 8));
  }
}
