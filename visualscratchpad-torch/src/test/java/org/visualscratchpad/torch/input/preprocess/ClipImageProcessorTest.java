package org.visualscratchpad.torch.input.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.torch.input.HfReference;
import org.visualscratchpad.torch.input.image.RgbImage;

class ClipImageProcessorTest {

  @ParameterizedTest
  @ValueSource(strings = {"clip", "clip_vision_336style", "llava", "scratchpad_llava"})
  void raw_images_reproduce_the_reference_pixel_values_exactly(String fixture) {
    Path dir = HfReference.fixture(fixture);
    ClipImageProcessor proc = ClipImageProcessor.of(PreprocessorConfig.read(dir));
    try (SafetensorsFile inputs = SafetensorsFile.open(dir.resolve("inputs.safetensors"))) {
      List<Long> shape = inputs.info("pixel_values").shape();
      float[] expected = inputs.floats("pixel_values");
      int images = Math.toIntExact(shape.get(0));
      int per = expected.length / images;
      for (int image = 0; image < images; image++) {
        RgbImage raw = HfReference.rawImage(inputs, image);
        ImageInputs in = proc.preprocess(raw);
        assertEquals(1, in.cropCount());
        assertEquals(shape.get(2).intValue(), in.cropHeight());
        assertEquals(shape.get(3).intValue(), in.cropWidth());
        float[] actual = in.toArray();
        float maxDiff = 0;
        int mismatches = 0;
        for (int k = 0; k < per; k++) {
          float d = Math.abs(actual[k] - expected[image * per + k]);
          maxDiff = Math.max(maxDiff, d);
          if (d != 0f) {
            mismatches++;
          }
        }
        assertEquals(0, mismatches, fixture + " image " + image + " (" + raw + "): " + mismatches
            + " values differ, max abs diff " + maxDiff);
      }
    }
  }

  @Test
  void a_png_of_a_raw_image_decodes_and_preprocesses_to_the_reference_pixel_values(@TempDir Path tmp) throws Exception {
    Path dir = HfReference.fixture("scratchpad_llava");
    ImagePreprocessor proc = ImagePreprocessor.forCheckpoint(dir);
    assertTrue(proc instanceof ClipImageProcessor);
    try (SafetensorsFile inputs = SafetensorsFile.open(dir.resolve("inputs.safetensors"))) {
      RgbImage raw = HfReference.rawImage(inputs, 1);
      BufferedImage png = new BufferedImage(raw.width(), raw.height(), BufferedImage.TYPE_3BYTE_BGR);
      for (int y = 0; y < raw.height(); y++) {
        for (int x = 0; x < raw.width(); x++) {
          png.setRGB(x, y, raw.get(y, x, 0) << 16 | raw.get(y, x, 1) << 8 | raw.get(y, x, 2));
        }
      }
      Path file = tmp.resolve("case1.png");
      ImageIO.write(png, "png", file.toFile());
      RgbImage decoded = ImageDecoder.defaults().decode(file);
      assertEquals(raw, decoded);
      float[] expected = inputs.floats("pixel_values");
      int per = 3 * 42 * 42;
      assertArrayEquals(Arrays.copyOfRange(expected, per, 2 * per), proc.preprocess(decoded).toArray());
    }
  }

  @Test
  void a_640x480_photo_is_resized_to_448x336_and_cropped_at_column_56() {
    CenterCropGeometry g = CenterCropGeometry.of(PreprocessorConfig.clip(336), new ImageSize(480, 640));
    assertEquals(new ImageSize(336, 448), g.resized());
    assertEquals(0, g.cropTop());
    assertEquals(56, g.cropLeft());
  }

  @Test
  void an_image_smaller_than_the_crop_without_resize_is_padded_with_black() {
    PreprocessorConfig base = PreprocessorConfig.clip(8);
    PreprocessorConfig noResize = new PreprocessorConfig(base.processorType(), true, false, base.size(),
        base.resample(), true, base.cropSize(), true, base.rescaleFactor(), false, base.imageMean(),
        base.imageStd(), List.of());
    ImageInputs in = ClipImageProcessor.of(noResize).preprocess(RgbImage.filled(4, 5, 255, 255, 255));
    CenterCropGeometry g = (CenterCropGeometry) in.geometry();
    assertEquals(-2, g.cropTop());
    assertEquals(-2, g.cropLeft());
    PixelValues crop = in.crops().get(0);
    // HF pads ceil((8-4)/2)=2 rows on top, ceil((8-5)/2)=2 columns on the left.
    assertEquals(0f, crop.get(0, 1, 4));
    assertEquals(1f, crop.get(0, 2, 2));
    assertEquals(1f, crop.get(0, 5, 6));
    assertEquals(0f, crop.get(0, 6, 6));
    assertEquals(0f, crop.get(0, 5, 7));
  }

  @Test
  void black_normalises_to_minus_mean_over_std_in_float32() {
    PixelValues crop = ClipImageProcessor.of(PreprocessorConfig.clip(4)).preprocess(RgbImage.filled(6, 9, 0, 0, 0))
        .crops().get(0);
    for (int c = 0; c < 3; c++) {
      float expected = (0f - PreprocessorConfig.OPENAI_CLIP_MEAN.get(c).floatValue())
          / PreprocessorConfig.OPENAI_CLIP_STD.get(c).floatValue();
      assertEquals(expected, crop.get(c, 3, 3));
    }
    assertTrue(crop.toString().startsWith("PixelValues[3 x 4 x 4]"));
  }

  /** Found by fuzzing: a huge size or crop ran out of memory while resizing; too many tiles likewise. */
  @Test
  void sizes_that_would_allocate_gigabytes_are_refused_when_the_config_is_read() {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    for (String bad : new String[] {"{\"size\": {\"shortest_edge\": 2000000000}}", "{\"crop_size\": 100000}",
        "{\"image_grid_pinpoints\": [[4096, 4096]], \"crop_size\": 28, \"size\": 28}"}) {
      org.visualscratchpad.InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(
          org.visualscratchpad.InvalidInputException.class, () -> PreprocessorConfig.parse(json.readTree(bad)));
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("at most") || e.getMessage().contains("[1, 4096]"),
          e.getMessage());
    }
  }
}
