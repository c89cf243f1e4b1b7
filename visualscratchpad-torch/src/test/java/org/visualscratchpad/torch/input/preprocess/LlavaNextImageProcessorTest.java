package org.visualscratchpad.torch.input.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.torch.input.HfReference;
import org.visualscratchpad.torch.input.image.RgbImage;

class LlavaNextImageProcessorTest {

  @ParameterizedTest
  @ValueSource(strings = {"llava_next_llama3", "llava_next_mistral"})
  void raw_images_reproduce_the_reference_tiles_and_image_sizes_exactly(String fixture) {
    Path dir = HfReference.fixture(fixture);
    LlavaNextImageProcessor proc = LlavaNextImageProcessor.of(PreprocessorConfig.read(dir));
    try (SafetensorsFile inputs = SafetensorsFile.open(dir.resolve("inputs.safetensors"))) {
      List<Long> shape = inputs.info("pixel_values").shape(); // [images, maxCrops, 3, H, W]
      float[] expected = inputs.floats("pixel_values");
      long[] sizes = inputs.longs("image_sizes");
      int images = shape.get(0).intValue();
      int maxCrops = shape.get(1).intValue();
      int per = 3 * shape.get(3).intValue() * shape.get(4).intValue();
      for (int image = 0; image < images; image++) {
        RgbImage raw = HfReference.rawImage(inputs, image);
        ImageInputs in = proc.preprocess(raw);
        assertEquals(new ImageSize((int) sizes[2 * image], (int) sizes[2 * image + 1]), in.imageSize());
        float[] actual = in.toArray();
        int base = image * maxCrops * per;
        for (int k = 0; k < actual.length; k++) {
          if (actual[k] != expected[base + k]) {
            int crop = k / per;
            throw new AssertionError(fixture + " image " + image + " crop " + crop + " value " + (k % per)
                + ": expected " + expected[base + k] + " got " + actual[k] + " (" + in + ")");
          }
        }
        // HF's batch padding: the crops after the real ones are all zero.
        for (int k = actual.length; k < maxCrops * per; k++) {
          assertEquals(0f, expected[base + k], "padding crop value " + k);
        }
      }
    }
  }

  @Test
  void the_fixture_images_get_the_expected_grids() {
    List<ImageSize> pins = PreprocessorConfig.read(HfReference.fixture("llava_next_llama3")).imageGridPinpoints();
    AnyresGeometry wide = AnyresGeometry.plan(new ImageSize(30, 50), pins, 28);
    assertEquals(new ImageSize(56, 56), wide.best());
    assertEquals(new ImageSize(34, 56), wide.resized());
    assertEquals(11, wide.pasteTop());
    assertEquals(5, wide.cropCount());
    AnyresGeometry tall = AnyresGeometry.plan(new ImageSize(50, 18), pins, 28);
    assertEquals(new ImageSize(56, 28), tall.best());
    assertEquals(new ImageSize(56, 21), tall.resized());
    assertEquals(3, tall.pasteLeft());
    assertEquals(3, tall.cropCount());
    // transformers 4.45 pads 3 + 3 columns: a 27-wide canvas whose tiles are 28 x 27.
    assertEquals(new ImageSize(56, 27), tall.canvas());
    assertEquals(27, tall.tileRect(1, 0).width());
    assertEquals(new ImageSize(56, 28), AnyresGeometry.plan(new ImageSize(50, 18), pins, 28, AnyresPadding.EXACT).canvas());
  }

  @Test
  void exact_padding_puts_the_odd_pixel_bottom_right_and_keeps_square_tiles() {
    PreprocessorConfig cfg = PreprocessorConfig.read(HfReference.fixture("llava_next_llama3"));
    ImageInputs in = LlavaNextImageProcessor.of(cfg).withPadding(AnyresPadding.EXACT)
        .preprocess(RgbImage.filled(50, 18, 255, 255, 255));
    PixelValues tile = in.crops().get(1);
    float white = (1f - PreprocessorConfig.OPENAI_CLIP_MEAN.get(0).floatValue()) / PreprocessorConfig.OPENAI_CLIP_STD.get(0).floatValue();
    float black = (0f - PreprocessorConfig.OPENAI_CLIP_MEAN.get(0).floatValue()) / PreprocessorConfig.OPENAI_CLIP_STD.get(0).floatValue();
    // resized to 56 x 21 and pasted at column 3: columns 0..2 black, 3..23 white, 24..27 black.
    assertEquals(black, tile.get(0, 10, 2));
    assertEquals(white, tile.get(0, 10, 3));
    assertEquals(white, tile.get(0, 10, 23));
    assertEquals(black, tile.get(0, 10, 24));
  }

  @Test
  void the_spec_worked_examples_select_the_documented_resolutions() {
    List<ImageSize> pins = PreprocessorConfig.LLAVA_NEXT_PINPOINTS;
    Object[][] cases = {
      {480, 640, 672, 672, 504, 672, 84, 0},
      {640, 480, 672, 672, 672, 504, 0, 84},
      {899, 1024, 672, 672, 590, 672, 41, 0},
      {500, 316, 672, 336, 532, 336, 70, 0},
      {336, 336, 336, 672, 336, 336, 0, 168},
      {1000, 1000, 672, 672, 672, 672, 0, 0},
      {300, 1200, 336, 1008, 252, 1008, 42, 0},
    };
    for (Object[] c : cases) {
      AnyresGeometry g = AnyresGeometry.plan(new ImageSize((int) c[0], (int) c[1]), pins, 336);
      String what = c[0] + "x" + c[1];
      assertEquals(new ImageSize((int) c[2], (int) c[3]), g.best(), what);
      assertEquals(new ImageSize((int) c[4], (int) c[5]), g.resized(), what);
      assertEquals((int) c[6], g.pasteTop(), what);
      assertEquals((int) c[7], g.pasteLeft(), what);
    }
  }

  @Test
  void a_config_without_pinpoints_is_rejected_with_a_pointer_to_the_clip_processor() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> LlavaNextImageProcessor.of(PreprocessorConfig.clip(336)));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("image_grid_pinpoints"), e.getMessage());
  }
}
