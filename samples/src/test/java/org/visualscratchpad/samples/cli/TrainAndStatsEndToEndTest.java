package org.visualscratchpad.samples.cli;

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
    assertEquals(0, Vsp.run("sae", "train", "--images", images.toString(), "--model", clip.toString(), "--hook",
        "vision.blocks.2.hook_resid_post", "--out", sae.toString(), "--expansion", "4", "--steps", "15",
        "--batch-size", "32", "--lr", "1e-3", "--checkpoint-every", "5"));
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
}
