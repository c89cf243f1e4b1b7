package org.visualscratchpad.torch.family.qwen2vl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.input.HfReference;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.torch.input.preprocess.ImageSize;

/** {@code Qwen2VLImageProcessor} against the pixel values transformers computed for the fixture's raw images. */
class Qwen2VLImageProcessorTest {

  @Test
  void raw_images_reproduce_the_reference_pixel_values_and_grids() {
    Path dir = Fixtures.folder("qwen2_vl");
    Qwen2VLImageProcessor proc = Qwen2VLImageProcessor.of(Qwen2VLProcessorConfig.read(dir));
    try (SafetensorsFile inputs = SafetensorsFile.open(dir.resolve("inputs.safetensors"))) {
      float[] expected = inputs.floats("pixel_values");
      long[] grids = inputs.longs("image_grid_thw");
      int cols = Math.toIntExact(inputs.info("pixel_values").shape().get(1));
      assertEquals(1176, cols);
      int row0 = 0;
      for (int image = 0; image < grids.length / 3; image++) {
        RgbImage raw = HfReference.rawImage(inputs, image);
        Qwen2VLImage in = proc.patches(raw);
        assertEquals(new GridThw((int) grids[3 * image], (int) grids[3 * image + 1], (int) grids[3 * image + 2]),
            in.grid(), "image " + image);
        float[] actual = in.patches().toArray();
        float maxDiff = 0;
        for (int k = 0; k < actual.length; k++) {
          maxDiff = Math.max(maxDiff, Math.abs(actual[k] - expected[row0 * cols + k]));
        }
        assertTrue(maxDiff <= 1e-6f, "image " + image + " (" + raw + "): max abs diff " + maxDiff);
        row0 += in.grid().patches();
      }
      assertEquals(expected.length / cols, row0, "every pixel_values row is accounted for");
    }
  }

  @Test
  void smart_resize_rounds_half_to_even_and_keeps_the_pixel_bounds() {
    Qwen2VLImageProcessor proc = Qwen2VLImageProcessor.of(Qwen2VLProcessorConfig.defaults(3136, 9408));
    // the fixture's images: plain rounding to multiples of 28
    assertEquals(new ImageSize(56, 84), proc.smartResize(60, 90));
    assertEquals(new ImageSize(112, 56), proc.smartResize(120, 64));
    // 70 / 28 = 2.5 rounds to 2 and 98 / 28 = 3.5 to 4, as Python's round() does
    assertEquals(new ImageSize(56, 112), proc.smartResize(70, 98));
    // 300 x 300 rounds to 308 x 308 = 94,864 > 9,408: scaled by sqrt(90,000 / 9,408) = 3.093 and floored
    assertEquals(new ImageSize(84, 84), proc.smartResize(300, 300));
    // 30 x 40 rounds to 28 x 28 = 784 < 3,136: scaled by sqrt(3,136 / 1,200) = 1.617 and ceiled
    assertEquals(new ImageSize(56, 84), proc.smartResize(30, 40));
    // Qwen2-VL-7B-Instruct's bounds: a 480 x 640 photo
    Qwen2VLImageProcessor big = Qwen2VLImageProcessor.of(Qwen2VLProcessorConfig.defaults(3136, 12845056));
    assertEquals(new ImageSize(476, 644), big.smartResize(480, 640));
    assertEquals(new GridThw(1, 34, 46), big.gridFor(new ImageSize(480, 640)));
  }

  @Test
  void images_smaller_than_a_merge_window_or_too_elongated_are_refused_with_the_reason() {
    Qwen2VLImageProcessor proc = Qwen2VLImageProcessor.of(Qwen2VLProcessorConfig.defaults(3136, 9408));
    InvalidInputException small = assertThrows(InvalidInputException.class, () -> proc.smartResize(20, 100));
    assertTrue(small.getMessage().contains("at least 28 px"), small.getMessage());
    InvalidInputException ratio = assertThrows(InvalidInputException.class, () -> proc.smartResize(28, 6000));
    assertTrue(ratio.getMessage().contains("aspect ratio"), ratio.getMessage());
    InvalidInputException thin = assertThrows(InvalidInputException.class, () -> proc.smartResize(28, 5000));
    assertTrue(thin.getMessage().contains("too elongated"), thin.getMessage());
  }

  @Test
  void a_malformed_preprocessor_config_names_the_field(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("preprocessor_config.json");
    Files.writeString(file, "{\"min_pixels\": -5, \"max_pixels\": 9408}");
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Qwen2VLProcessorConfig.read(tmp));
    assertTrue(e.getMessage().contains("min_pixels (-5)"), e.getMessage());
    Files.writeString(file, "{\"size\": {\"shortest_edge\": 3136, \"longest_edge\": 12845056}}");
    Qwen2VLProcessorConfig later = Qwen2VLProcessorConfig.read(tmp);
    assertEquals(3136, later.minPixels());
    assertEquals(12845056, later.maxPixels());
    Files.writeString(file, new ObjectMapper().writeValueAsString(java.util.Map.of("max_pixels", 1L << 40)));
    e = assertThrows(CheckpointFormatException.class, () -> Qwen2VLProcessorConfig.read(tmp));
    assertTrue(e.getMessage().contains("max_pixels"), e.getMessage());
  }
}
