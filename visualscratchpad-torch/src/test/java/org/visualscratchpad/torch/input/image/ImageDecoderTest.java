package org.visualscratchpad.torch.input.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.InvalidInputException;

class ImageDecoderTest {
  @TempDir Path dir;

  private Path png(String name, BufferedImage image) throws IOException {
    Path file = dir.resolve(name);
    assertTrue(ImageIO.write(image, "png", file.toFile()), "no PNG writer for " + image);
    return file;
  }

  @Test
  void an_8_bit_grayscale_png_is_replicated_to_rgb_without_gamma_conversion() throws IOException {
    BufferedImage gray = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster r = gray.getRaster();
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 4; x++) {
        r.setSample(x, y, 0, 20 * x + 60 * y + 7);
      }
    }
    RgbImage img = ImageDecoder.defaults().decode(png("gray.png", gray));
    assertEquals(3, img.height());
    assertEquals(4, img.width());
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 4; x++) {
        for (int c = 0; c < 3; c++) {
          assertEquals(20 * x + 60 * y + 7, img.get(y, x, c), "(" + y + ", " + x + ", " + c + ")");
        }
      }
    }
  }

  @Test
  void a_palette_png_is_looked_up_in_its_palette() throws IOException {
    byte[] red = {(byte) 200, 0, 10, (byte) 255};
    byte[] green = {30, (byte) 140, 20, (byte) 255};
    byte[] blue = {40, 50, (byte) 250, (byte) 255};
    IndexColorModel palette = new IndexColorModel(2, 4, red, green, blue);
    BufferedImage indexed = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_BINARY, palette);
    for (int x = 0; x < 4; x++) {
      indexed.getRaster().setSample(x, 0, 0, x);
      indexed.getRaster().setSample(x, 1, 0, 3 - x);
    }
    RgbImage img = ImageDecoder.defaults().decode(png("palette.png", indexed));
    for (int x = 0; x < 4; x++) {
      assertEquals(red[x] & 0xFF, img.get(0, x, 0));
      assertEquals(green[x] & 0xFF, img.get(0, x, 1));
      assertEquals(blue[x] & 0xFF, img.get(0, x, 2));
      assertEquals(blue[3 - x] & 0xFF, img.get(1, x, 2));
    }
  }

  @Test
  void a_16_bit_grayscale_png_keeps_the_high_byte() throws IOException {
    BufferedImage gray16 = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
    int[] values = {0, 0x80FF, 0xFFFF};
    for (int x = 0; x < 3; x++) {
      gray16.getRaster().setSample(x, 0, 0, values[x]);
    }
    RgbImage img = ImageDecoder.defaults().decode(png("gray16.png", gray16));
    assertEquals(0, img.get(0, 0, 0));
    assertEquals(0x80, img.get(0, 1, 1));
    assertEquals(0xFF, img.get(0, 2, 2));
  }

  @Test
  void a_16_bit_rgba_png_keeps_the_high_bytes_and_drops_alpha() throws IOException {
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), true, false,
        Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
    raster.setPixel(0, 0, new int[] {0x1234, 0xABCD, 0xFF00, 0});
    raster.setPixel(1, 0, new int[] {0xFFFF, 0x0101, 0x7F80, 0x8000});
    RgbImage img = ImageDecoder.defaults().decode(png("rgba16.png", new BufferedImage(cm, raster, false, null)));
    assertEquals(0x12, img.get(0, 0, 0));
    assertEquals(0xAB, img.get(0, 0, 1));
    assertEquals(0xFF, img.get(0, 0, 2));
    assertEquals(0xFF, img.get(0, 1, 0));
    assertEquals(0x01, img.get(0, 1, 1));
    assertEquals(0x7F, img.get(0, 1, 2));
  }

  /** A CMYK JPEG as Photoshop writes it: Adobe APP14 marker (transform 0), inverted samples. */
  private Path cmykJpeg(int[][] columnsCmyk, int height) throws IOException {
    int width = columnsCmyk.length * 4;
    WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int[] cmyk = columnsCmyk[x / 4];
        r.setPixel(x, y, new int[] {255 - cmyk[0], 255 - cmyk[1], 255 - cmyk[2], 255 - cmyk[3]});
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(1.0f);
      writer.write(null, new IIOImage(r, null, null), p);
    } finally {
      writer.dispose();
    }
    byte[] plain = bytes.toByteArray();
    byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
    byte[] jpeg = new byte[plain.length + app14.length];
    System.arraycopy(plain, 0, jpeg, 0, 2);
    System.arraycopy(app14, 0, jpeg, 2, app14.length);
    System.arraycopy(plain, 2, jpeg, 2 + app14.length, plain.length - 2);
    Path file = dir.resolve("cmyk.jpg");
    Files.write(file, jpeg);
    return file;
  }

  @Test
  void a_cmyk_jpeg_is_converted_to_rgb_not_rejected() throws IOException {
    int[][] colours = {{0, 0, 0, 0}, {255, 0, 0, 0}, {0, 0, 0, 255}, {0, 255, 255, 0}, {128, 0, 0, 64}};
    RgbImage img = ImageDecoder.defaults().decode(cmykJpeg(colours, 8));
    assertEquals(20, img.width());
    // Pillow's CMYK -> RGB: channel = (255 - K) - C * (255 - K) / 255.
    for (int column = 0; column < colours.length; column++) {
      int[] cmyk = colours[column];
      int nk = 255 - cmyk[3];
      for (int c = 0; c < 3; c++) {
        int expected = nk - Math.round(cmyk[c] * nk / 255f);
        int actual = img.get(4, column * 4 + 1, c);
        assertTrue(Math.abs(expected - actual) <= 3,
            "CMYK " + Arrays.toString(cmyk) + " channel " + c + ": expected about " + expected + ", got " + actual);
      }
    }
  }

  @Test
  void a_text_file_is_rejected_as_not_an_image_naming_the_file() throws IOException {
    Path file = dir.resolve("notes.png");
    Files.writeString(file, "this is not a picture\n", StandardCharsets.UTF_8);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImageDecoder.defaults().decode(file));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not an image"), e.getMessage());
  }

  @Test
  void an_empty_file_is_rejected_naming_the_file() throws IOException {
    Path file = Files.createFile(dir.resolve("empty.jpg"));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImageDecoder.defaults().decode(file));
    assertTrue(e.getMessage().contains("empty.jpg") && e.getMessage().contains("empty (0 bytes)"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> ImageDecoder.defaults().decode(new byte[0], "upload"));
  }

  @Test
  void a_missing_file_is_rejected_naming_the_file() {
    Path file = dir.resolve("nowhere.png");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImageDecoder.defaults().decode(file));
    assertTrue(e.getMessage().contains("nowhere.png") && e.getMessage().contains("does not exist"), e.getMessage());
  }

  /** A 57-byte PNG whose header claims {@code width x height}: decoding it would need gigabytes. */
  private Path pngBomb(int width, int height) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    byte[] ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width)
        .putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array();
    b.putInt(13).put(ihdr).putInt(crc(ihdr));
    byte[] iend = "IEND".getBytes(StandardCharsets.US_ASCII);
    b.putInt(0).put(iend).putInt(crc(iend));
    Path file = dir.resolve("bomb.png");
    Files.write(file, b.array());
    return file;
  }

  private static int crc(byte[] data) {
    CRC32 crc = new CRC32();
    crc.update(data);
    return (int) crc.getValue();
  }

  @Test
  void an_image_whose_header_exceeds_the_pixel_limit_is_rejected_before_decoding() throws IOException {
    Path bomb = pngBomb(100_000, 100_000);
    assertTrue(Files.size(bomb) < 100);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImageDecoder.defaults().decode(bomb));
    assertTrue(e.getMessage().contains("bomb.png") && e.getMessage().contains("100000 x 100000 = 10000000000 pixels")
        && e.getMessage().contains("at most 64000000"), e.getMessage());

    Path small = png("small.png", new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB));
    InvalidInputException limited = assertThrows(InvalidInputException.class,
        () -> ImageDecoder.defaults().withMaxPixels(1000).decode(small));
    assertTrue(limited.getMessage().contains("40 x 30 = 1200 pixels"), limited.getMessage());
    assertEquals(30, ImageDecoder.defaults().withMaxPixels(1200).decode(small).height());
  }

  @Test
  void a_truncated_png_is_rejected_as_corrupt() throws IOException {
    BufferedImage rgb = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        rgb.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | ((x ^ y) & 255));
      }
    }
    byte[] full = Files.readAllBytes(png("full.png", rgb));
    Path cut = dir.resolve("cut.png");
    Files.write(cut, Arrays.copyOf(full, full.length / 2));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImageDecoder.defaults().decode(cut));
    assertTrue(e.getMessage().contains("cut.png"), e.getMessage());
  }

  @Test
  void an_rgb_png_round_trips_exactly() throws IOException {
    BufferedImage rgb = new BufferedImage(5, 2, BufferedImage.TYPE_3BYTE_BGR);
    rgb.setRGB(3, 1, 0x123456);
    RgbImage img = ImageDecoder.defaults().decode(png("rgb.png", rgb));
    assertEquals(0x12, img.get(1, 3, 0));
    assertEquals(0x34, img.get(1, 3, 1));
    assertEquals(0x56, img.get(1, 3, 2));
    assertEquals(0, img.get(0, 0, 0));
  }
}
