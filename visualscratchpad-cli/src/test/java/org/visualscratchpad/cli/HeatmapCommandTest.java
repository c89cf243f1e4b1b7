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
}
