package org.visualscratchpad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputsCommandTest {
  private static final Path FIXTURES =
      Path.of(System.getProperty("vsp.shared.dir", "../../shared")).resolve("fixtures/hf-reference");

  private static String run(String... args) {
    PrintStream old = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      System.setErr(capture);
      int code = Vsp.run(args);
      capture.flush();
      return code + "\n" + bytes.toString(StandardCharsets.UTF_8);
    } finally {
      System.setOut(old);
      System.setErr(oldErr);
    }
  }

  private static Path png(Path dir, int height, int width) throws Exception {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, (x * 5) << 16 | (y * 5) << 8 | 90);
      }
    }
    Path file = dir.resolve("image.png");
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  @Test
  void a_llava_next_checkpoint_shows_the_anyres_grid_and_52_image_tokens(@TempDir Path dir) throws Exception {
    String out = run("inputs", png(dir, 30, 50).toString(), "--model", FIXTURES.resolve("llava_next_llama3").toString());
    assertTrue(out.startsWith("0\n"), out);
    assertTrue(out.contains("crops      5 x [3 x 28 x 28]"), out);
    assertTrue(out.contains("grid 2 x 2 tiles"), out);
    assertTrue(out.contains("52 image tokens (48 patches, 4 newlines; patch_size 7, DEFAULT)"), out);
    assertTrue(out.contains("USER: <image>\\nWhat is shown in this image? ASSISTANT:"), out);
  }

  @Test
  void a_llava_checkpoint_shows_16_image_tokens_and_a_broken_image_fails_with_a_clear_line(@TempDir Path dir)
      throws Exception {
    String out = run("inputs", png(dir, 36, 30).toString(), "--model", FIXTURES.resolve("llava").toString());
    assertTrue(out.contains("16 image tokens (16 patches, 0 newlines"), out);
    Path bad = Files.writeString(dir.resolve("bad.jpg"), "not a jpeg");
    String err = run("inputs", bad.toString(), "--model", FIXTURES.resolve("llava").toString());
    assertEquals("2", err.substring(0, 1), err);
    assertTrue(err.contains("error: image " + bad + " is not an image"), err);
  }

  /** llava_next_mistral's config and processor with a Mistral-style tokenizer whose chat template writes {@code bos_token}. */
  private static Path mistralCheckpoint(Path dir) throws Exception {
    Path model = Files.createDirectories(dir.resolve("model"));
    for (String f : new String[] {"config.json", "preprocessor_config.json"}) {
      Files.copy(FIXTURES.resolve("llava_next_mistral").resolve(f), model.resolve(f));
    }
    for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
      Files.copy(Path.of(InputsCommandTest.class.getResource("/tokenizers/mistral/" + f).toURI()), model.resolve(f));
    }
    // this test tokenizer has <image> at id 3
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var config = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(model.resolve("config.json").toFile());
    config.put("image_token_index", 3);
    json.writeValue(model.resolve("config.json").toFile(), config);
    return model;
  }

  @Test
  void a_template_that_writes_bos_gets_one_bos_every_id_is_shown_and_room_is_left_for_asks_32_tokens(@TempDir Path dir)
      throws Exception {
    Path model = mistralCheckpoint(dir);
    String out = run("inputs", png(dir, 30, 50).toString(), "--model", model.toString(), "--question", "What is shown?");
    assertTrue(out.startsWith("0\n"), out);
    String ids = out.lines().filter(l -> l.startsWith("ids ")).findFirst().orElseThrow();
    assertTrue(ids.startsWith("ids        [1, "), ids);
    assertEquals(-1, ids.indexOf("[1, 1,"), "one BOS only: " + ids);
    assertTrue(ids.contains("3 x 52"), "the image-token run is shown as one entry: " + ids);
    assertTrue(!ids.contains("..."), "every id is shown: " + ids);
    assertTrue(out.contains(" + 32 new tokens fit in 512"), out);
  }
}
