package org.visualscratchpad.cli;

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

  @Test
  void spark_options_need_spark_and_spark_without_its_module_says_how_to_run_it(@TempDir Path tmp) throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true));
    int withoutSpark;
    int withSpark;
    try {
      withoutSpark = Vsp.run("stats", "--model", tmp.toString(), "--sae", tmp.toString(), "--tar", "shards/*.tar",
          "--out", tmp.resolve("out").toString());
      withSpark = Vsp.run("stats", "--spark", "local[2]", "--model", tmp.toString(), "--sae", tmp.toString(), "--tar",
          "shards/*.tar", "--out", tmp.resolve("out").toString());
    } finally {
      System.setErr(err);
    }
    assertEquals(2, withoutSpark);
    assertEquals(2, withSpark);
    String text = captured.toString();
    assertTrue(text.contains("--tar") && text.contains("need --spark MASTER"), text);
    assertTrue(text.contains("needs the visualscratchpad-spark module") && text.contains("bin/vsp"), text);
  }
}
