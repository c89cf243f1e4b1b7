package org.visualscratchpad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.sae.stats.LatentStatistics;

/** vsp sae train --images and vsp stats on a folder of images with the tiny CLIP of the fixtures. */
class TrainAndStatsEndToEndTest {

  @Test
  void train_an_sae_from_images_then_compute_its_statistics(@TempDir Path tmp) throws Exception {
    Path clip = Path.of(System.getProperty("vsp.shared.dir", "../../shared"), "fixtures/hf-reference/clip");
    SplittableRandom rnd = new SplittableRandom(17);
    Path images = tmp.resolve("images");
    for (String label : new String[] {"warm", "cold"}) {
      Files.createDirectories(images.resolve(label));
      for (int i = 0; i < 4; i++) {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
          for (int x = 0; x < 40; x++) {
            int v = rnd.nextInt(128);
            img.setRGB(x, y, label.equals("warm") ? (128 + v) << 16 | v << 8 : v << 8 | (128 + v));
          }
        }
        ImageIO.write(img, "png", images.resolve(label + "/" + i + ".png").toFile());
      }
    }
    Files.writeString(images.resolve("cold/notes.txt"), "not an image");
    Path sae = tmp.resolve("sae");
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    try (java.io.PrintStream capture = new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8)) {
      System.setOut(capture);
      // 15 steps of 32 rows over 8 images of 17 rows: several epochs
      assertEquals(0, Vsp.run("sae", "train", "--images", images.toString(), "--model", clip.toString(), "--hook",
          "vision.blocks.2.hook_resid_post", "--out", sae.toString(), "--expansion", "4", "--steps", "15",
          "--batch-size", "32", "--lr", "1e-3", "--checkpoint-every", "5"));
    } finally {
      System.setOut(stdout);
    }
    String out = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
    System.out.print(out);
    assertTrue(out.contains("running the vision tower once over 9 images"), out);
    assertTrue(out.contains("cached 136 rows x 32 (0.0 MiB) in memory"), out);
    var loaded = SaeLoader.load(sae);
    assertEquals(32, loaded.dIn());
    assertEquals(128, loaded.dSae());

    Path stats = tmp.resolve("stats");
    assertEquals(0, Vsp.run("stats", "--model", clip.toString(), "--sae", sae.toString(), "--images",
        images.toString(), "--out", stats.toString(), "--top-k", "3", "--checkpoint-every", "3"));
    LatentStatistics s = LatentStatistics.load(stats);
    assertEquals(8, s.images());
    assertEquals(8 * 17, s.tokens(), "28 px / 7 px patches: 16 patches + CLS per image");
    assertEquals(1, Files.readAllLines(stats.resolve("skipped.txt")).size());
    assertTrue(Files.readString(stats.resolve("skipped.txt")).contains("notes.txt"));
    int firing = 0;
    for (int j = 0; j < 128; j++) {
      if (s.imageCount(j) > 0) {
        firing++;
        assertTrue(s.topImages(j).get(0).label().equals("warm") || s.topImages(j).get(0).label().equals("cold"));
      }
    }
    assertTrue(firing > 0, "no latent fired on any image");
  }

  @Test
  void a_llava_next_folder_trains_and_measures_through_its_own_tower_and_anyres_crops(@TempDir Path tmp) throws Exception {
    Path next = Path.of(System.getProperty("vsp.shared.dir", "../../shared"), "fixtures/hf-reference/llava_next_llama3");
    Path images = tmp.resolve("images/any");
    Files.createDirectories(images);
    SplittableRandom rnd = new SplittableRandom(5);
    int[][] sizes = {{40, 30}, {30, 60}, {50, 50}};
    for (int i = 0; i < sizes.length; i++) {
      BufferedImage img = new BufferedImage(sizes[i][0], sizes[i][1], BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < img.getHeight(); y++) {
        for (int x = 0; x < img.getWidth(); x++) {
          img.setRGB(x, y, rnd.nextInt(1 << 24));
        }
      }
      ImageIO.write(img, "png", images.resolve(i + ".png").toFile());
    }
    Path sae = tmp.resolve("sae");
    assertEquals(0, Vsp.run("sae", "train", "--images", tmp.resolve("images").toString(), "--model", next.toString(),
        "--hook", "vision.blocks.1.hook_resid_post", "--out", sae.toString(), "--expansion", "2", "--steps", "6",
        "--batch-size", "32", "--lr", "1e-3", "--checkpoint-every", "3"));
    Path stats = tmp.resolve("stats");
    assertEquals(0, Vsp.run("stats", "--model", next.toString(), "--sae", sae.toString(), "--images",
        tmp.resolve("images").toString(), "--out", stats.toString(), "--top-k", "3"));
    LatentStatistics s = LatentStatistics.load(stats);
    assertEquals(3, s.images());
    // 28 px crops of 7 px patches: 17 tokens each; anyres gives a base view plus 2 or 4 tiles per image
    assertTrue(s.tokens() > 3 * 17 && s.tokens() % 17 == 0, "tokens " + s.tokens() + " span several crops");
    boolean multiCrop = false;
    for (int j = 0; j < 64; j++) {
      for (var t : s.topImages(j)) {
        multiCrop |= t.mask().tokenCount() > 17;
      }
    }
    assertTrue(multiCrop, "the top images' masks cover the anyres crops");
  }
}
