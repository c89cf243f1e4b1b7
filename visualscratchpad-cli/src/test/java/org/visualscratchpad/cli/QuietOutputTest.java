package org.visualscratchpad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.safetensors.SafetensorsWriter;

/**
 * {@code vsp} in a fresh JVM with its output redirected (as in a log file): no DJL CUDA warnings or
 * INFO lines unless {@code --verbose}, and no progress bar (cursor codes) off a terminal.
 */
class QuietOutputTest {
  @TempDir Path tmp;

  private String vsp(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
        Vsp.class.getName()));
    cmd.addAll(List.of(args));
    Path log = tmp.resolve("out-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "vsp did not finish");
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  private Path checkpoint() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("model"));
    Path fixture = org.visualscratchpad.samples.Fixtures.hfReference("llava_next_mistral");
    for (String f : new String[] {"config.json", "preprocessor_config.json"}) {
      Files.copy(fixture.resolve(f), model.resolve(f));
    }
    for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
      Files.copy(Path.of(QuietOutputTest.class.getResource("/tokenizers/mistral/" + f).toURI()), model.resolve(f));
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(model.resolve("config.json").toFile());
    config.put("image_token_index", 3);
    json.writeValue(model.resolve("config.json").toFile(), config);
    return model;
  }

  @Test
  void library_log_lines_show_only_with_verbose() throws Exception {
    Path model = checkpoint();
    Path image = tmp.resolve("image.png");
    ImageIO.write(new BufferedImage(50, 30, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
    String quiet = vsp("inputs", image.toString(), "--model", model.toString());
    assertTrue(quiet.contains("image tokens"), quiet);
    assertFalse(quiet.contains("WARN ai.djl") || quiet.contains(" INFO "), "quiet by default: " + quiet);
    String verbose = vsp("inputs", image.toString(), "--model", model.toString(), "--verbose");
    assertTrue(verbose.contains(" INFO "), "--verbose shows the log: " + verbose);
  }

  @Test
  void a_progress_bar_writes_no_cursor_codes_off_a_terminal() throws Exception {
    SplittableRandom rnd = new SplittableRandom(3);
    float[] acts = new float[200 * 8];
    for (int i = 0; i < acts.length; i++) {
      acts[i] = (float) rnd.nextDouble();
    }
    new SafetensorsWriter().putFloats("acts", acts, 200, 8).write(tmp.resolve("acts.safetensors"));
    String out = vsp("sae", "train", "--activations", tmp.resolve("acts.safetensors").toString(), "--hook",
        "vision.blocks.2.hook_resid_post", "--out", tmp.resolve("sae").toString(), "--expansion", "2", "--steps", "10",
        "--batch-size", "32", "--lr", "1e-3");
    assertTrue(out.contains("wrote "), out);
    assertFalse(out.contains("\r") || out.contains("\u001b["), "no cursor codes: " + out);
  }
}
