package org.visualscratchpad.torch.family.qwen2vl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.checkpoint.TensorFile;
import org.visualscratchpad.torch.checkpoint.Weights;
import org.visualscratchpad.torch.cpu.CpuWeights;

/** Qwen2-VL's vision tower and patch merger on the CPU engine against the fixture's transformers outputs. */
class CpuQwen2VLVisionTest {
  private static CpuQwen2VLVision vision;
  private static float[] pixels;
  private static List<GridThw> grids;
  private static TensorFile outputs;

  @BeforeAll
  static void load() {
    Path dir = Fixtures.folder("qwen2_vl");
    Qwen2VLVisionConfig cfg = Qwen2VLConfig.read(ConfigJson.read(dir)).vision();
    try (Weights w = Weights.open(dir)) {
      vision = new CpuQwen2VLVision(new CpuWeights(w, null), "visual", cfg, cfg.depth());
    }
    try (TensorFile in = TensorFile.open(dir.resolve("inputs.safetensors"))) {
      pixels = in.tensor("pixel_values").toArray();
      long[] g = in.longs("image_grid_thw");
      grids = new ArrayList<>();
      for (int i = 0; i < g.length; i += 3) {
        grids.add(new GridThw((int) g[i], (int) g[i + 1], (int) g[i + 2]));
      }
    }
    outputs = TensorFile.open(dir.resolve("outputs.safetensors"));
  }

  private static float maxDiff(float[] a, float[] b) {
    assertEquals(b.length, a.length, "length");
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  @Test
  void defaults_omitted_from_config_json_are_the_class_defaults() {
    Qwen2VLVisionConfig cfg = vision.config();
    assertEquals(3, cfg.depth());
    assertEquals(32, cfg.embedDim());
    assertEquals(64, cfg.outHiddenSize());
    assertEquals(32, cfg.hiddenSize());
    assertEquals(false, cfg.hasClsToken());
    assertEquals(4, cfg.mlpRatio());
    assertEquals(14, cfg.patchSize());
    assertEquals(2, cfg.spatialMergeSize());
    assertEquals(2, cfg.temporalPatchSize());
    assertEquals(org.visualscratchpad.torch.nn.Activation.QUICK_GELU, cfg.act());
  }

  @Test
  void rotary_angles_follow_the_patch_rows_and_columns_in_merge_window_order() {
    float[] expected = outputs.tensor("vision.rotary_pos_emb").toArray();
    assertTrue(maxDiff(vision.rotaryAngles(grids), expected) <= 1e-6f);
  }

  @Test
  void every_block_and_the_merger_match_transformers_on_two_images_at_once() {
    var frames = CpuQwen2VLVision.Frames.of(grids);
    assertEquals(56, frames.patches());
    float[] x = vision.embed(pixels, frames.patches());
    float d0 = maxDiff(x, outputs.tensor("vision.hidden_states.0").toArray());
    assertTrue(d0 <= 1e-5f, "patch embedding: " + d0);
    var rope = vision.rope(grids);
    var scratch = new CpuQwen2VLVision.Scratch(vision.config(), frames.patches());
    for (int l = 0; l < vision.loadedBlocks(); l++) {
      vision.block(l, x, frames, rope, scratch);
      float d = maxDiff(x, outputs.tensor("vision.hidden_states." + (l + 1)).toArray());
      assertTrue(d <= 1e-5f, "block " + l + ": max abs diff " + d);
    }
    float dm = maxDiff(vision.merge(x, frames.patches()), outputs.tensor("vision.merger_output").toArray());
    assertTrue(dm <= 1e-5f, "merger: " + dm);
  }

  @Test
  void each_image_alone_gives_its_rows_of_the_joint_run() {
    float[] expected = outputs.tensor("vision.merger_output").toArray();
    int cols = vision.config().patchValues();
    int row0 = 0;
    int token0 = 0;
    int hidden = vision.config().outHiddenSize();
    for (GridThw g : grids) {
      List<GridThw> one = List.of(g);
      var frames = CpuQwen2VLVision.Frames.of(one);
      float[] x = vision.embed(Arrays.copyOfRange(pixels, row0 * cols, (row0 + g.patches()) * cols), g.patches());
      var rope = vision.rope(one);
      var scratch = new CpuQwen2VLVision.Scratch(vision.config(), g.patches());
      for (int l = 0; l < vision.loadedBlocks(); l++) {
        vision.block(l, x, frames, rope, scratch);
      }
      float[] merged = vision.merge(x, g.patches());
      int tokens = g.mergedTokens(2);
      float d = maxDiff(merged, Arrays.copyOfRange(expected, token0 * hidden, (token0 + tokens) * hidden));
      assertTrue(d <= 1e-5f, g + ": " + d);
      row0 += g.patches();
      token0 += tokens;
    }
  }
}
