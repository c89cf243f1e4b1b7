package org.visualscratchpad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.cli.Vsp;

/** vsp stats --spark through the command line: the command line hands the arguments to SparkStatsMain. */
class SparkStatsMainTest {

  @Test
  void vsp_stats_with_spark_writes_what_vsp_stats_writes_and_bad_input_is_one_clear_line(@TempDir Path tmp)
      throws Exception {
    Path model = SparkStatsTest.fixture("clip");
    Path sae = SparkStatsTest.sae(tmp.resolve("sae"), 32, 96, 2, 11);
    List<TestData.Item> items = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      items.add(new TestData.Item((i % 2 == 0 ? "x" : "y") + "/" + i + ".png", i % 2 == 0 ? "x" : "y",
          TestData.png(TestData.noise(28 + i, 30, 40 + i, i % 2 == 0 ? 0x008000 : 0))));
    }
    Path images = TestData.folder(tmp.resolve("images"), items);
    TestData.shards(tmp.resolve("shards"), items, 3);
    assertEquals(0, Vsp.run("stats", "--model", model.toString(), "--sae", sae.toString(), "--images", images.toString(),
        "--out", tmp.resolve("single").toString()));
    assertEquals(0, Vsp.run("stats", "--spark", "local[2]", "--model", model.toString(), "--sae", sae.toString(), "--tar",
        tmp.resolve("shards").toString(), "--out", tmp.resolve("spark").toString(), "--cache-activations",
        tmp.resolve("codes").toString(), "--timings"));
    TestData.assertSameFiles(tmp.resolve("single"), tmp.resolve("spark"), SparkStatsTest.FILES);
    assertTrue(Files.isRegularFile(tmp.resolve("codes/codes-00000-0000.safetensors")));

    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true));
    int code;
    try {
      code = SparkStatsMain.run("--spark", "local[1]", "--model", model.toString(), "--sae",
          tmp.resolve("missing-sae").toString(), "--images", images.toString(), "--out", tmp.resolve("never").toString());
    } finally {
      System.setErr(err);
    }
    assertEquals(2, code);
    assertTrue(captured.toString().startsWith("error: ") && captured.toString().contains("missing-sae"), captured.toString());
    assertTrue(Files.notExists(tmp.resolve("never")));
  }
}
