package org.visualscratchpad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code vsp sae info} on the fixture SAE, and its error for a bad path. */
class SaeInfoCommandTest {

  private record Run(int code, String out, String err) {}

  private static Run vsp(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Vsp.run(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private static Path fixtureSae() {
    return org.visualscratchpad.samples.Fixtures.hfReference("scratchpad_llava/sae");
  }

  @Test
  void prints_architecture_sizes_hook_dtype_and_sparsity_of_the_fixture_sae() {
    Run r = vsp("sae", "info", fixtureSae().toString());
    assertEquals(0, r.code(), r.err());
    String o = r.out();
    assertTrue(o.contains("format         SAELens"), o);
    assertTrue(o.contains("architecture   standard"), o);
    assertTrue(o.contains("d_in           32"), o);
    assertTrue(o.contains("d_sae          256 (expansion 8.0x)"), o);
    assertTrue(o.contains("hook point     vision.blocks.1.hook_resid_post"), o);
    assertTrue(o.contains("dtype          float32 (W_enc stored as F32)"), o);
    assertTrue(o.contains("model          tiny LLaVA-1.5"), o);
    assertTrue(o.contains("log10 firing frequency over 256 latents: mean "), o);
    assertTrue(o.contains("dead latents   0 (0.0 %)"), o);
  }

  @Test
  void a_missing_path_prints_one_clear_error_line_and_exits_2() {
    Run r = vsp("sae", "info", "/nonexistent/sae");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: /nonexistent/sae: does not exist."), r.err());
  }
}
