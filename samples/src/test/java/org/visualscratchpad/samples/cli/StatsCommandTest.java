package org.visualscratchpad.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatsCommandTest {

  @Test
  void stats_needs_exactly_one_dataset_and_names_a_missing_sae(@TempDir Path tmp) throws Exception {
    Files.createDirectories(tmp.resolve("images/cat"));
    assertNotEquals(0, Vsp.run("stats", "--model", tmp.toString(), "--sae", tmp.resolve("sae").toString(), "--out",
        tmp.resolve("out").toString()), "no --images/--csv");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true));
    int code;
    try {
      code = Vsp.run("stats", "--model", tmp.toString(), "--sae", tmp.resolve("sae").toString(), "--images",
          tmp.resolve("images").toString(), "--out", tmp.resolve("out").toString());
    } finally {
      System.setErr(err);
    }
    assertEquals(2, code);
    assertTrue(captured.toString().contains(tmp.resolve("sae").toString()), captured.toString());
    assertTrue(Files.notExists(tmp.resolve("out")));
  }
}
