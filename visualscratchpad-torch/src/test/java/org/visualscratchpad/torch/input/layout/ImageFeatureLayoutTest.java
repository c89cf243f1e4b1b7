package org.visualscratchpad.torch.input.layout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.torch.input.HfReference;
import org.visualscratchpad.torch.input.preprocess.AnyresGeometry;
import org.visualscratchpad.torch.input.preprocess.CenterCropGeometry;
import org.visualscratchpad.torch.input.preprocess.ClipImageProcessor;
import org.visualscratchpad.torch.input.preprocess.ImageInputs;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.LlavaNextImageProcessor;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

class ImageFeatureLayoutTest {
  private static final int IMAGE_TOKEN = 195;
  private static final PreprocessorConfig NEXT_336 =
      PreprocessorConfig.llavaNext(336, PreprocessorConfig.LLAVA_NEXT_PINPOINTS);

  @ParameterizedTest
  @ValueSource(strings = {"llava_next_llama3", "llava_next_mistral"})
  void packing_the_projected_tiles_by_featureSourceRows_reproduces_packed_image_features(String fixture) {
    Path dir = HfReference.fixture(fixture);
    PreprocessorConfig cfg = PreprocessorConfig.read(dir);
    LlavaNextImageProcessor proc = LlavaNextImageProcessor.of(cfg);
    try (SafetensorsFile inputs = SafetensorsFile.open(dir.resolve("inputs.safetensors"));
        SafetensorsFile outputs = SafetensorsFile.open(dir.resolve("outputs.safetensors"));
        SafetensorsFile model = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
      long[] sizes = inputs.longs("image_sizes");
      long[] lens = outputs.longs("packed_feature_lens");
      float[] tiles = outputs.floats("projected_tiles"); // [tiles, 16, 64]
      float[] packed = outputs.floats("packed_image_features"); // [92, 64]
      float[] newline = model.floats("image_newline");
      int d = newline.length;
      int tileOffset = 0;
      int packedOffset = 0;
      for (int image = 0; image < lens.length; image++) {
        ImageSize size = new ImageSize((int) sizes[2 * image], (int) sizes[2 * image + 1]);
        AnyresGeometry g = proc.plan(size);
        LlavaNextFeatureLayout layout = LlavaNextFeatureLayout.of(g, cfg, 7, FeatureSelect.DEFAULT);
        LlavaNextFeatureLayout fromModel =
            LlavaNextFeatureLayout.forModel(size, cfg.imageGridPinpoints(), 28, 7, FeatureSelect.DEFAULT);
        assertArrayEquals(layout.featureSourceRows(), fromModel.featureSourceRows());
        assertEquals(layout.locations(), fromModel.locations());
        assertEquals(lens[image], layout.tokenCount(), "packed_feature_lens[" + image + "]");
        int[] rows = layout.featureSourceRows();
        for (int position = 0; position < rows.length; position++) {
          for (int k = 0; k < d; k++) {
            float expected = packed[(packedOffset + position) * d + k];
            float actual = rows[position] < 0 ? newline[k] : tiles[(tileOffset * 16 + rows[position]) * d + k];
            if (expected != actual) {
              throw new AssertionError(fixture + " image " + image + " position " + position + " ("
                  + layout.tokens().get(position) + ") dim " + k + ": expected " + expected + " got " + actual);
            }
          }
        }
        tileOffset += g.cropCount();
        packedOffset += rows.length;
      }
      assertEquals(packed.length / d, packedOffset);
    }
  }

  @Test
  void the_fixture_prompts_hold_as_many_image_tokens_as_the_layouts() {
    Path next = HfReference.fixture("llava_next_llama3");
    PreprocessorConfig nextCfg = PreprocessorConfig.read(next);
    Path llava = HfReference.fixture("llava");
    PreprocessorConfig llavaCfg = PreprocessorConfig.read(llava);
    try (SafetensorsFile a = SafetensorsFile.open(next.resolve("inputs.safetensors"));
        SafetensorsFile b = SafetensorsFile.open(llava.resolve("inputs.safetensors"))) {
      ImageInputs in = LlavaNextImageProcessor.of(nextCfg).preprocess(HfReference.rawImage(a, 0));
      assertEquals(count(a.longs("single.input_ids")),
          ImageFeatureLayout.of(in, nextCfg, 7, FeatureSelect.DEFAULT).tokenCount());
      ImageInputs one = ClipImageProcessor.of(llavaCfg).preprocess(HfReference.rawImage(b, 0));
      ImageFeatureLayout layout = ImageFeatureLayout.of(one, llavaCfg, 7, FeatureSelect.DEFAULT);
      assertEquals(count(b.longs("single.input_ids")), layout.tokenCount());
      assertEquals(16, layout.tokenCount());
      assertEquals(17, ImageFeatureLayout.of(one, llavaCfg, 7, FeatureSelect.FULL).tokenCount());
    }
  }

  private static int count(long[] ids) {
    int n = 0;
    for (long id : ids) {
      n += id == IMAGE_TOKEN ? 1 : 0;
    }
    return n;
  }

  @ParameterizedTest(name = "{0}x{1} -> {2} tokens")
  @CsvSource({"480,640,2340", "640,480,2352", "899,1024,2634", "500,316,1526", "336,336,1176", "224,224,1176",
      "1000,1000,2928", "300,1200,1890"})
  void the_spec_worked_examples_give_the_documented_token_counts(int h, int w, int tokens) {
    AnyresGeometry g = AnyresGeometry.plan(new ImageSize(h, w), PreprocessorConfig.LLAVA_NEXT_PINPOINTS, 336);
    LlavaNextFeatureLayout layout = LlavaNextFeatureLayout.of(g, NEXT_336, 14, FeatureSelect.DEFAULT);
    assertEquals(tokens, layout.tokenCount(), layout.toString());
    assertEquals(tokens - layout.newlineCount(), layout.locations().size());
  }

  @Test
  void llava_next_newlines_end_every_kept_row_and_carry_no_feature_row() {
    AnyresGeometry g = AnyresGeometry.plan(new ImageSize(480, 640), PreprocessorConfig.LLAVA_NEXT_PINPOINTS, 336);
    LlavaNextFeatureLayout layout = LlavaNextFeatureLayout.of(g, NEXT_336, 14, FeatureSelect.DEFAULT);
    assertEquals(6, layout.keptRowStart());
    assertEquals(42, layout.keptRowEnd());
    int[] rows = layout.featureSourceRows();
    for (int r = 0; r < 36; r++) {
      int position = 576 + 49 * r + 48;
      assertTrue(layout.tokens().get(position) instanceof PackedImageToken.Newline, "position " + position);
      assertEquals(-1, rows[position]);
    }
    // First kept cell: grid (6, 0) = tile (0, 0), patch (6, 0); its box starts at the image's top-left.
    ImageTokenLocation first = layout.locations().get(576);
    assertEquals(1, first.crop());
    assertEquals(6, first.patchRow());
    assertEquals(0, first.patchCol());
    assertEquals(new PixelBox(0, 0, 14, 14), first.box()); // canvas [84, 98) -> resized [0, 14) -> x 640/672
  }

  @Test
  void a_llava_15_patch_of_a_640x480_photo_covers_20x20_original_pixels_right_of_the_crop_offset() {
    LlavaFeatureLayout layout =
        LlavaFeatureLayout.of(CenterCropGeometry.of(PreprocessorConfig.clip(336), new ImageSize(480, 640)), 14,
            FeatureSelect.DEFAULT);
    assertEquals(576, layout.tokenCount());
    ImageTokenLocation loc = layout.locations().get(24 * 3 + 5);
    assertEquals(3, loc.patchRow());
    assertEquals(5, loc.patchCol());
    assertEquals(new PixelBox(80 + 20 * 5, 20 * 3, 20, 20), loc.box());
    assertEquals(layout.locations(),
        LlavaFeatureLayout.forModel(new ImageSize(480, 640), 336, 14, FeatureSelect.DEFAULT).locations());
    LlavaFeatureLayout full = LlavaFeatureLayout.forModel(new ImageSize(480, 640), 336, 14, FeatureSelect.FULL);
    assertEquals(577, full.tokenCount());
    assertTrue(full.tokens().get(0) instanceof PackedImageToken.ClassToken);
    assertEquals(1, full.featureSourceRows()[1], "patch 0 is row 1 of a CLS-first feature matrix");
    assertEquals(576, full.locations().size());
  }

  @RepeatedTest(25)
  void llava_15_boxes_tile_the_centre_crop_of_the_original_image(RepetitionInfo info) {
    long seed = 1000 + info.getCurrentRepetition();
    Random rnd = new Random(seed);
    ImageSize size = new ImageSize(5 + rnd.nextInt(900), 5 + rnd.nextInt(900));
    CenterCropGeometry g = CenterCropGeometry.of(PreprocessorConfig.clip(336), size);
    LlavaFeatureLayout layout = LlavaFeatureLayout.of(g, 14, FeatureSelect.DEFAULT);
    String what = "seed " + seed + " size " + size;
    assertEquals(576, layout.locations().size(), what);
    int[][] cover = coverage(size, layout.locations(), what);
    // The crop's footprint in the original: the resized window [cropLeft, cropLeft + 336) scaled back.
    double x0 = g.cropLeft() * (double) size.width() / g.resized().width();
    double x1 = (g.cropLeft() + 336) * (double) size.width() / g.resized().width();
    double y0 = g.cropTop() * (double) size.height() / g.resized().height();
    double y1 = (g.cropTop() + 336) * (double) size.height() / g.resized().height();
    // Neighbouring boxes may share an edge pixel (smallest enclosing box); when the image was
    // upscaled, several patches fall into one original pixel.
    double patchW = 14.0 * size.width() / g.resized().width();
    double patchH = 14.0 * size.height() / g.resized().height();
    int maxCover = ((int) Math.ceil(1 / patchW) + 1) * ((int) Math.ceil(1 / patchH) + 1);
    for (int y = 0; y < size.height(); y++) {
      for (int x = 0; x < size.width(); x++) {
        boolean inside = x + 1 > x0 && x < x1 && y + 1 > y0 && y < y1;
        if (inside != cover[y][x] > 0 || cover[y][x] > maxCover) {
          throw new AssertionError(what + " pixel (" + y + ", " + x + ") inside crop " + inside + " covered "
              + cover[y][x] + " times (at most " + maxCover + " allowed)");
        }
      }
    }
  }

  @RepeatedTest(25)
  void llava_next_base_boxes_tile_the_whole_image_and_tile_boxes_stay_inside_it(RepetitionInfo info) {
    long seed = 2000 + info.getCurrentRepetition();
    Random rnd = new Random(seed);
    ImageSize size = new ImageSize(20 + rnd.nextInt(1000), 20 + rnd.nextInt(1000));
    String what = "seed " + seed + " size " + size;
    LlavaNextFeatureLayout layout = LlavaNextFeatureLayout.of(
        AnyresGeometry.plan(size, PreprocessorConfig.LLAVA_NEXT_PINPOINTS, 336), NEXT_336, 14, FeatureSelect.DEFAULT);
    List<ImageTokenLocation> locs = layout.locations();
    int[][] base = coverage(size, locs.subList(0, 576), what);
    double patchW = 14.0 * size.width() / 336;
    double patchH = 14.0 * size.height() / 336;
    int maxCover = ((int) Math.ceil(1 / patchW) + 1) * ((int) Math.ceil(1 / patchH) + 1);
    for (int y = 0; y < size.height(); y++) {
      for (int x = 0; x < size.width(); x++) {
        if (base[y][x] < 1 || base[y][x] > maxCover) {
          throw new AssertionError(what + " base coverage at (" + y + ", " + x + ") " + base[y][x]);
        }
      }
    }
    coverage(size, locs.subList(576, locs.size()), what); // bounds checked inside
    int kept = (layout.keptRowEnd() - layout.keptRowStart()) * (layout.keptColEnd() - layout.keptColStart());
    assertEquals(576 + kept + layout.newlineCount(), layout.tokenCount(), what);
    assertEquals(processorTokenCount(size, 336, 14), layout.tokenCount(), what + ": HF processor's integer count");
    for (int k = 0; k < locs.size(); k++) {
      assertEquals(k, locs.get(k).imageTokenIndex());
    }
  }

  /** HF's {@code LlavaNextProcessor._get_number_of_features} (integer arithmetic), default strategy. */
  private static int processorTokenCount(ImageSize size, int side, int patch) {
    ImageSize best = AnyresGeometry.selectBestResolution(size, PreprocessorConfig.LLAVA_NEXT_PINPOINTS);
    int g = side / patch;
    int currentHeight = g * (best.height() / side);
    int currentWidth = g * (best.width() / side);
    int h = size.height();
    int w = size.width();
    if ((double) w / h > (double) currentWidth / currentHeight) {
      int newHeight = (h * currentWidth) / w;
      currentHeight -= ((currentHeight - newHeight) / 2) * 2;
    } else {
      int newWidth = (w * currentHeight) / h;
      currentWidth -= ((currentWidth - newWidth) / 2) * 2;
    }
    return currentHeight * currentWidth + currentHeight + g * g;
  }

  private static int[][] coverage(ImageSize size, List<ImageTokenLocation> locs, String what) {
    int[][] cover = new int[size.height()][size.width()];
    for (ImageTokenLocation loc : locs) {
      PixelBox b = loc.box();
      if (!(b.x() >= 0 && b.y() >= 0 && b.x() + b.width() <= size.width() && b.y() + b.height() <= size.height())) {
        throw new AssertionError(what + ": " + loc + " lies outside the image");
      }
      for (int y = b.y(); y < b.y() + b.height(); y++) {
        for (int x = b.x(); x < b.x() + b.width(); x++) {
          cover[y][x]++;
        }
      }
    }
    return cover;
  }

  @Test
  void llava_next_rejects_the_full_strategy_and_crops_that_are_not_whole_patches() {
    AnyresGeometry g = AnyresGeometry.plan(new ImageSize(480, 640), PreprocessorConfig.LLAVA_NEXT_PINPOINTS, 336);
    assertThrows(InvalidInputException.class, () -> LlavaNextFeatureLayout.of(g, NEXT_336, 14, FeatureSelect.FULL));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> LlavaNextFeatureLayout.of(g, NEXT_336, 15, FeatureSelect.DEFAULT));
    assertTrue(e.getMessage().contains("patch_size 15"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> FeatureSelect.parse("cls"));
  }

  @Test
  void python_round_to_7_digits_is_reproduced() {
    assertEquals(4.8, LlavaNextFeatureLayout.roundTo7Digits(30 * (8.0 / 50)));
    assertEquals(35.0, LlavaNextFeatureLayout.roundTo7Digits(34.99999999999999));
    assertArrayEquals(new int[] {0}, new int[] {(int) LlavaNextFeatureLayout.roundTo7Digits(0.00000004)});
  }
}
