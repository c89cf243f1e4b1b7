package org.visualscratchpad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.samples.ClipFixtureFiles;
import picocli.CommandLine;

/**
 * {@code vsp classify} on the {@code clip} fixture with a word-level tokenizer over its ids and a
 * random SAELens SAE (seed 5) at vision layer 1.
 */
class ClassifyCommandTest {

  static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Vsp());
    cl.setExecutionExceptionHandler(new Vsp.Errors());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int rc = cl.execute(args);
    return new String[] {Integer.toString(rc), out.toString(), err.toString()};
  }

  @Test
  void class_names_the_tokenizer_does_not_know_are_warned_about(@TempDir Path tmp) throws Exception {
    Path fixture = org.visualscratchpad.samples.Fixtures.hfReference("clip");
    Path model = Files.createDirectories(tmp.resolve("model"));
    for (String f : List.of("config.json", "model.safetensors", "preprocessor_config.json")) {
      Files.copy(fixture.resolve(f), model.resolve(f));
    }
    writeTokenizer(model.resolve("tokenizer.json"));
    Path sae = writeSae(tmp.resolve("sae"), 5);
    Path image = tmp.resolve("image.png");
    ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    java.io.PrintStream old = System.err;
    String[] r;
    try (java.io.PrintStream capture = new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8)) {
      System.setErr(capture);
      r = run("classify", "--model", model.toString(), "--sae", sae.toString(), "--image", image.toString(),
          "--classes", "zebra,quokka");
    } finally {
      System.setErr(old);
    }
    String warned = log.toString(java.nio.charset.StandardCharsets.UTF_8) + r[2];
    assertEquals("0", r[0], warned);
    assertTrue(warned.contains("[zebra, quokka]") && warned.contains("not in the tokenizer's vocabulary"), warned);
  }

  @Test
  void a_steered_latent_outside_the_sae_is_refused_before_classifying(@TempDir Path tmp) throws Exception {
    Path fixture = org.visualscratchpad.samples.Fixtures.hfReference("clip");
    Path model = Files.createDirectories(tmp.resolve("model"));
    for (String f : List.of("config.json", "model.safetensors", "preprocessor_config.json")) {
      Files.copy(fixture.resolve(f), model.resolve(f));
    }
    writeTokenizer(model.resolve("tokenizer.json"));
    Path sae = writeSae(tmp.resolve("sae"), 5);
    Path image = tmp.resolve("image.png");
    ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
    String[] r = run("classify", "--model", model.toString(), "--sae", sae.toString(), "--image", image.toString(),
        "--classes", "w10,w20", "--steer", "5000=1");
    assertEquals("2", r[0], r[1] + r[2]);
    assertTrue(r[2].contains("--steer") && r[2].contains("5000") && r[2].contains("d_sae"), r[2]);
    assertTrue(!r[1].contains("probabilities"), "refused before classifying: " + r[1]);
  }

  @Test
  void prints_probabilities_drivers_and_the_edited_probabilities(@TempDir Path tmp) throws Exception {
    Path fixture = org.visualscratchpad.samples.Fixtures.hfReference("clip");
    Path model = Files.createDirectories(tmp.resolve("model"));
    for (String f : List.of("config.json", "model.safetensors", "preprocessor_config.json")) {
      Files.copy(fixture.resolve(f), model.resolve(f));
    }
    writeTokenizer(model.resolve("tokenizer.json"));
    Path sae = writeSae(tmp.resolve("sae"), 5);
    Path image = tmp.resolve("image.png");
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        img.setRGB(x, y, ((x * 8) << 16) | ((y * 8) << 8) | 90);
      }
    }
    ImageIO.write(img, "png", image.toFile());
    Path templates = Files.writeString(tmp.resolve("templates.txt"), "a photo of a {}.\n\n{}\n");

    String[] r = run("classify", "--model", model.toString(), "--sae", sae.toString(), "--image", image.toString(),
        "--classes", "w10,w20,w30", "--templates", templates.toString(), "--ablate", "1,2,3", "--steer", "4=6.5");
    assertEquals("0", r[0], r[2]);
    String out = r[1];
    System.out.println(out);
    assertTrue(out.contains("probabilities (2 templates)"), out);
    Matcher m = Pattern.compile("(w\\d0)\\s+([0-9.]+)%\\s+logit").matcher(out);
    double sum = 0;
    int classes = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(2));
      classes++;
    }
    assertEquals(3, classes, out);
    assertEquals(100.0, sum, 0.05, out);
    assertTrue(out.contains("top drivers per class"), out);
    assertTrue(out.contains("under InterventionPlan[ablate [1, 2, 3]"), out);
    assertEquals(3, out.lines().filter(l -> l.contains("->")).count(), out);

    // bad input: a clear one-line error and a non-zero exit code, no stack trace
    String[] one = run("classify", "--model", model.toString(), "--sae", sae.toString(), "--image", image.toString(),
        "--classes", "w10");
    assertEquals("2", one[0]);
    assertTrue(one[2].contains("at least 2"), one[2]);
    String[] range = run("classify", "--model", model.toString(), "--sae", sae.toString(), "--image", image.toString(),
        "--classes", "w10,w20", "--ablate", "999");
    assertEquals("2", range[0]);
    assertTrue(range[2].contains("999") && range[2].contains("d_sae"), range[2]);
    String[] nan = run("classify", "--model", model.toString(), "--sae", sae.toString(), "--image", image.toString(),
        "--classes", "w10,w20", "--steer", "3=NaN");
    assertEquals("2", nan[0]);
    assertTrue(nan[2].contains("NaN"), nan[2]);
  }

  static void writeTokenizer(Path file) throws Exception {
    ClipFixtureFiles.writeTokenizer(file);
  }

  static Path writeSae(Path folder, long seed) throws Exception {
    return ClipFixtureFiles.writeSae(folder, seed);
  }
}
