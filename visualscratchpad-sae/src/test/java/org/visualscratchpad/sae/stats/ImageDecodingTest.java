package org.visualscratchpad.sae.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecodingTest {
  private static final ImageDecoding.Limits LIMITS = ImageDecoding.Limits.defaults();

  static byte[] encoded(String format, int w, int h) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    SplittableRandom rnd = new SplittableRandom(w * 31L + h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out));
    return out.toByteArray();
  }

  @Test
  void a_whole_image_decodes_to_the_same_pixels_as_image_io() throws Exception {
    for (String format : new String[] {"png", "jpg"}) {
      byte[] bytes = encoded(format, 40, 30);
      ImageDecoding.Decoded d = ImageDecoding.decode(bytes, LIMITS);
      assertTrue(d.ok(), d.reason());
      BufferedImage expected = ImageIO.read(new java.io.ByteArrayInputStream(bytes));
      assertEquals(40, d.image().getWidth());
      for (int y = 0; y < 30; y++) {
        for (int x = 0; x < 40; x++) {
          assertEquals(expected.getRGB(x, y), d.image().getRGB(x, y), format + " at " + x + "," + y);
        }
      }
    }
  }

  @Test
  void truncated_unreadable_empty_and_foreign_files_are_refused_with_a_reason() throws Exception {
    byte[] jpg = encoded("jpg", 64, 64);
    ImageDecoding.Decoded cutJpeg = ImageDecoding.decode(Arrays.copyOf(jpg, jpg.length / 2), LIMITS);
    assertFalse(cutJpeg.ok(), "ImageIO returns a half-grey picture for a truncated JPEG; it must be refused");
    assertNull(cutJpeg.image());
    assertTrue(cutJpeg.reason().contains("truncated") || cutJpeg.reason().contains("unreadable"), cutJpeg.reason());
    byte[] png = encoded("png", 64, 64);
    ImageDecoding.Decoded cutPng = ImageDecoding.decode(Arrays.copyOf(png, png.length / 2), LIMITS);
    assertFalse(cutPng.ok());
    assertTrue(cutPng.reason().startsWith("unreadable image") || cutPng.reason().startsWith("truncated"), cutPng.reason());
    assertEquals("empty file", ImageDecoding.decode(new byte[0], LIMITS).reason());
    assertTrue(ImageDecoding.decode("hello".getBytes(), LIMITS).reason().startsWith("not an image"));
  }

  @Test
  void an_image_over_the_limits_is_refused_before_its_pixels_are_decoded() throws Exception {
    byte[] png = encoded("png", 1, 1);
    // IHDR width and height (bytes 16..23) claim 200,000 x 200,000: decoding would need 160 GB
    byte[] huge = png.clone();
    java.nio.ByteBuffer.wrap(huge, 16, 8).putInt(200_000).putInt(200_000);
    String reason = ImageDecoding.decode(huge, LIMITS).reason();
    assertTrue(reason.startsWith("image too large (200000 x 200000"), reason);
    byte[] small = encoded("png", 20, 20);
    assertTrue(ImageDecoding.decode(small, new ImageDecoding.Limits(small.length - 1, 1_000)).reason()
        .startsWith("image file too large"));
    assertTrue(ImageDecoding.decode(small, new ImageDecoding.Limits(small.length, 399)).reason()
        .startsWith("image too large (20 x 20"));
    assertTrue(ImageDecoding.decode(small, new ImageDecoding.Limits(small.length, 400)).ok());
  }

  @Test
  void reading_a_file_checks_its_size_first(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("a.png");
    Files.write(f, encoded("png", 8, 8));
    String[] why = new String[1];
    assertEquals(Files.size(f), ImageDecoding.readFile(f, LIMITS, why).length);
    assertNull(ImageDecoding.readFile(f, new ImageDecoding.Limits(10, 100), why));
    assertTrue(why[0].startsWith("image file too large"), why[0]);
    assertNull(ImageDecoding.readFile(tmp.resolve("missing.png"), LIMITS, why));
    assertEquals("file not found", why[0]);
  }
}
