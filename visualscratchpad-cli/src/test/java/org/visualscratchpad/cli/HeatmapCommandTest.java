package org.visualscratchpad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeatmapCommandTest {

  @Test
  void writes_the_heatmap_of_the_scratchpad_fixture(@TempDir Path tmp) throws Exception {
    Path fixture = org.visualscratchpad.samples.Fixtures.hfReference("scratchpad_llava");
    Path out = tmp.resolve("heatmap");
    assertEquals(0, Vsp.run("heatmap", "--file", fixture.resolve("outputs.safetensors").toString(), "--acts", "case0.sae_acts",
        "--attention", "case0.attn.gen_producing", "--sparsity", fixture.resolve("sae/sparsity.safetensors").toString(),
        "--top-k", "10", "--clusters", "3", "--out", out.toString()));
    assertTrue(Files.size(out.resolve("heatmap.png")) > 1000);
    assertTrue(Files.readString(out.resolve("heatmap.svg")).startsWith("<svg"));
    String json = Files.readString(out.resolve("heatmap.json"));
    assertTrue(json.contains("\"clusters\"") && json.contains("\"latentIds\""), json);
    // a tensor that is not there: a clear failure, not a crash
    assertNotEquals(0, Vsp.run("heatmap", "--file", fixture.resolve("outputs.safetensors").toString(), "--acts", "nope",
        "--attention", "case0.attn.gen_producing", "--out", tmp.resolve("x").toString()));
  }

  @Test
  void activations_without_a_cls_row_are_read_with_no_cls_and_a_mismatch_is_refused(@TempDir Path tmp) throws Exception {
    int patches = 16;
    int dSae = 32;
    int tokens = 5;
    java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
    float[] acts = new float[patches * dSae];
    for (int i = 0; i < acts.length; i++) {
      acts[i] = rng.nextDouble() < 0.2 ? (float) rng.nextDouble(0.1, 3) : 0f;
    }
    float[] attn = new float[tokens * patches];
    for (int i = 0; i < attn.length; i++) {
      attn[i] = (float) rng.nextDouble(0, 0.1);
    }
    Path file = tmp.resolve("siglip.safetensors");
    new org.visualscratchpad.safetensors.SafetensorsWriter().putFloats("acts", acts, patches, dSae)
        .putFloats("attn", attn, tokens, patches).write(file);
    // [patches, d_sae] rows read as patches: the heatmap is written
    assertEquals(0, Vsp.run("heatmap", "--file", file.toString(), "--acts", "acts", "--attention", "attn", "--no-cls",
        "--top-k", "4", "--clusters", "2", "--out", tmp.resolve("ok").toString()));
    assertTrue(Files.size(tmp.resolve("ok/heatmap.png")) > 1000);
    // without --no-cls row 0 would be taken for CLS: 15 patch rows against 16 columns, refused before any work
    assertNotEquals(0, Vsp.run("heatmap", "--file", file.toString(), "--acts", "acts", "--attention", "attn",
        "--out", tmp.resolve("bad").toString()));
    assertTrue(Files.notExists(tmp.resolve("bad")));
  }
}
