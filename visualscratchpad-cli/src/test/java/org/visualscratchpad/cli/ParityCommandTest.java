package org.visualscratchpad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.safetensors.TensorInfo;
import picocli.CommandLine;

class ParityCommandTest {

  private static Path fixtures() {
    return org.visualscratchpad.samples.Fixtures.hfReference("");
  }

  private static String[] run(String... args) {
    CommandLine cl = new CommandLine(new Vsp());
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    cl.setOut(new PrintWriter(buf, true, StandardCharsets.UTF_8));
    int code = cl.execute(args);
    return new String[] {Integer.toString(code), buf.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void a_fixture_folder_passes_with_one_line_per_tensor_and_a_summary() {
    String[] r = run("parity", fixtures().resolve("clip").toString());
    System.out.println(r[1]);
    assertEquals("0", r[0], r[1]);
    assertTrue(r[1].contains("logits_per_image"), r[1]);
    assertTrue(r[1].strip().endsWith("24 passed, 0 failed"), r[1]);
  }

  @Test
  void the_llava_onevision_folder_passes_on_the_cpu_engine_and_libtorch_says_it_cannot_run_it() {
    String[] r = run("parity", fixtures().resolve("llava_onevision").toString());
    assertEquals("0", r[0], r[1]);
    assertTrue(r[1].contains("packed_image_features") && r[1].strip().endsWith("30 passed, 0 failed"), r[1]);
    CommandLine cl = new CommandLine(new Vsp());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cl.setOut(new PrintWriter(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    int code = cl.execute("parity", fixtures().resolve("llava_onevision").toString(), "--device", "torch:cpu");
    assertTrue(code != 0);
  }

  @Test
  void a_sharded_sub_folder_uses_its_parents_manifest_entry_and_data() {
    String[] r = run("parity", fixtures().resolve("llava_next_llama3/sharded").toString());
    assertEquals("0", r[0], r[1]);
    assertTrue(r[1].contains("packed_image_features"), r[1]);
  }

  @Test
  void a_perturbed_reference_output_fails_with_a_nonzero_exit(@TempDir Path tmp) throws Exception {
    Path src = fixtures().resolve("clip");
    Path dir = tmp.resolve("clip");
    Files.createDirectories(dir);
    for (String f : new String[] {"config.json", "model.safetensors", "inputs.safetensors"}) {
      Files.copy(src.resolve(f), dir.resolve(f));
    }
    SafetensorsWriter w = new SafetensorsWriter();
    try (SafetensorsFile out = SafetensorsFile.open(src.resolve("outputs.safetensors"))) {
      for (String n : out.names()) {
        TensorInfo info = out.info(n);
        float[] v = out.floats(n);
        if (n.equals("logits_per_image")) {
          v[1] += 1e-3f;   // ten times the logits tolerance
        }
        w.putFloats(n, v, info.shape().stream().mapToLong(Long::longValue).toArray());
      }
    }
    w.write(dir.resolve("outputs.safetensors"));
    String[] r = run("parity", dir.toString(), "--manifest", fixtures().resolve("manifest.json").toString());
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].lines().anyMatch(l -> l.startsWith("logits_per_image") && l.contains("FAIL")), r[1]);
    assertTrue(r[1].strip().endsWith("23 passed, 1 failed"), r[1]);
  }
}
