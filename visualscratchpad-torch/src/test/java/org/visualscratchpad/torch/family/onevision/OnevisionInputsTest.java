package org.visualscratchpad.torch.family.onevision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.family.VlmFamilies;
import org.visualscratchpad.torch.input.HfReference;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.layout.PackedImageToken;
import org.visualscratchpad.torch.input.preprocess.AnyresGeometry;
import org.visualscratchpad.torch.input.preprocess.ImageInputs;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.torch.llava.LlavaModel;
import org.visualscratchpad.torch.nn.Activation;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/**
 * LLaVA-OneVision's input side against transformers 4.45.1: the config's omitted defaults, {@code
 * LlavaOnevisionImageProcessor} on the fixture's raw images (bit for bit), the token counts of {@code
 * pack_image_features}, the downscaled grid's mixed tokens, and the pixel boxes.
 */
class OnevisionInputsTest {

  private static Path dir() {
    return Fixtures.folder("llava_onevision");
  }

  private static OnevisionConfig config() {
    return OnevisionConfig.read(ConfigJson.read(dir()));
  }

  @Test
  void omitted_config_keys_take_the_class_defaults_of_config_full_json() {
    OnevisionConfig c = config();
    assertEquals("llava_onevision", VlmFamilies.forConfig(ConfigJson.read(dir())).modelType());
    SiglipConfig v = c.vision();
    assertEquals(Activation.GELU_TANH, v.act());
    assertEquals(1e-6, v.layerNormEps());
    assertFalse(v.hasClsToken());
    assertEquals(4, v.tokensPerCrop());
    assertEquals(3, c.featureHiddenIndex(), "vision_feature_layer -1: the last encoder output");
    assertEquals(9, c.maxTiles());
    assertEquals(36, c.pinpoints().size());
    assertEquals("qwen2", c.text().modelType());
    assertEquals(1e-6, c.text().rmsNormEps());
    assertEquals(1e6, c.text().ropeTheta());
    assertEquals(2, c.text().numKeyValueHeads());
    assertTrue(c.text().attentionBias());
    assertEquals(195, c.imageTokenIndex());
  }

  @Test
  void bad_or_unsupported_values_are_refused_naming_the_field(@TempDir Path tmp) throws IOException {
    String base = Files.readString(dir().resolve("config.json"));
    for (String[] edit : new String[][] {
        {"\"vision_feature_select_strategy\": \"full\"", "\"vision_feature_select_strategy\": \"default\"",
            "vision_feature_select_strategy"},
        {"\"vision_aspect_ratio\": \"anyres_max_9\"", "\"vision_aspect_ratio\": \"anyres\"", "vision_aspect_ratio"},
        {"\"model_type\": \"siglip_vision_model\"", "\"model_type\": \"clip_vision_model\"", "vision_config.model_type"},
        {"\"projector_hidden_act\": \"gelu\"", "\"projector_hidden_act\": \"relu\"", "projector_hidden_act"}}) {
      assertTrue(base.contains(edit[0]), edit[0]);
      Files.writeString(tmp.resolve("config.json"), base.replace(edit[0], edit[1]));
      CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
          () -> OnevisionConfig.read(ConfigJson.read(tmp)));
      assertTrue(e.getMessage().contains(edit[2]) && e.getMessage().contains("config.json"), e.getMessage());
    }
  }

  @Test
  void raw_images_reproduce_the_reference_pixel_values_and_image_sizes_exactly() {
    ImagePreprocessor proc = ImagePreprocessor.forCheckpoint(dir());
    assertTrue(proc instanceof OnevisionImageProcessor, proc.toString());
    try (SafetensorsFile inputs = SafetensorsFile.open(dir().resolve("inputs.safetensors"))) {
      List<Long> shape = inputs.info("pixel_values").shape();   // [images, maxTiles, 3, H, W]
      float[] expected = inputs.floats("pixel_values");
      long[] sizes = inputs.longs("image_sizes");
      int maxCrops = shape.get(1).intValue();
      int per = 3 * shape.get(3).intValue() * shape.get(4).intValue();
      List<Integer> crops = new ArrayList<>();
      for (int image = 0; image < shape.get(0); image++) {
        ImageInputs in = proc.preprocess(HfReference.rawImage(inputs, image));
        assertEquals(new ImageSize((int) sizes[2 * image], (int) sizes[2 * image + 1]), in.imageSize());
        float[] actual = in.toArray();
        int base = image * maxCrops * per;
        for (int k = 0; k < actual.length; k++) {
          if (actual[k] != expected[base + k]) {
            throw new AssertionError("image " + image + " crop " + k / per + " value " + k % per + ": expected "
                + expected[base + k] + " got " + actual[k] + " (" + in + ")");
          }
        }
        for (int k = actual.length; k < maxCrops * per; k++) {
          assertEquals(0f, expected[base + k], "batch padding crop value " + k);
        }
        crops.add(in.cropCount());
      }
      assertEquals(List.of(7, 17), crops, "tiles incl. base of the fixture notes");
    }
  }

  @Test
  void token_counts_are_pack_image_features_lengths_and_the_large_image_is_downscaled() throws IOException {
    OnevisionConfig c = config();
    ImagePreprocessor proc = OnevisionFamily.INSTANCE.imageProcessor(PreprocessorConfig.read(dir()), c);
    long[] lens;
    try (SafetensorsFile out = SafetensorsFile.open(dir().resolve("outputs.safetensors"))) {
      lens = out.longs("packed_feature_lens");
    }
    int[][] sizes = {{30, 70}, {100, 96}};
    for (int i = 0; i < 2; i++) {
      ImageSize size = new ImageSize(sizes[i][0], sizes[i][1]);
      ImageFeatureLayout pipeline = OnevisionFamily.INSTANCE.layout(proc.plan(size), proc.config(), c);
      ImageFeatureLayout model = OnevisionFamily.INSTANCE.layoutForModel(size, c);
      assertEquals(lens[i], pipeline.tokenCount(), size.toString());
      assertEquals(pipeline.tokens(), model.tokens(), "the model packs by the pipeline's layout");
    }
    OnevisionFeatureLayout small = (OnevisionFeatureLayout) OnevisionFamily.INSTANCE.layoutForModel(new ImageSize(30, 70), c);
    assertFalse(small.downscaled());
    assertEquals(2, small.gridRows());
    assertEquals(6, small.gridCols());
    assertTrue(small.attribution().identity());
    OnevisionFeatureLayout big = (OnevisionFeatureLayout) OnevisionFamily.INSTANCE.layoutForModel(new ImageSize(100, 96), c);
    assertTrue(big.downscaled(), big.toString());
    assertEquals(6, big.gridRows());
    assertEquals(6, big.gridCols());
    assertEquals(4 + 6 * 7, big.tokenCount());
    long mixed = big.tokens().stream().filter(t -> t instanceof PackedImageToken.Mixed).count();
    assertEquals(36, mixed);
    for (PackedImageToken t : big.tokens()) {
      if (t instanceof PackedImageToken.Mixed m) {
        double sum = 0;
        for (float w : m.weights()) {
          assertTrue(w > 0f);
          sum += w;
        }
        assertEquals(1.0, sum, 1e-6, m.toString());
        assertTrue(m.featureRows().length >= 1 && m.featureRows().length <= 4);
      }
    }
    // attention to the 36 mixed tokens goes to the 64 grid patches, and the base view's 4 stay themselves
    ImageFeatureLayout.Attribution at = big.attribution();
    assertFalse(at.identity());
    assertEquals(40, at.tokens());
    assertEquals(4 + 64, at.locations().size());
    Set<List<Integer>> distinct = new HashSet<>();
    for (ImageTokenLocation l : at.locations()) {
      assertEquals(l.patchIndex(), l.saeRow(), "SigLIP: no CLS row");
      assertTrue(distinct.add(List.of(l.crop(), l.patchIndex())));
    }
  }

  /**
   * {@code LlavaOnevisionProcessor._get_number_of_features} (transformers 4.45.1), written out independently of the
   * layout: the processor's own count of base, unpadded (possibly downscaled) and newline tokens.
   */
  private static int processorCount(int h, int w, int side, int patches, List<int[]> pins) {
    List<ImageSize> sizes = new ArrayList<>();
    for (int[] p : pins) {
      sizes.add(new ImageSize(p[0], p[1]));
    }
    ImageSize best = AnyresGeometry.selectBestResolution(new ImageSize(h, w), sizes);
    int curH = patches * (best.height() / side);
    int curW = patches * (best.width() / side);
    if ((double) w / h > (double) curW / curH) {
      int newH = (int) (h * ((double) curW / w));
      curH -= ((curH - newH) / 2) * 2;
    } else {
      int newW = (int) (w * ((double) curH / h));
      curW -= ((curW - newW) / 2) * 2;
    }
    int unpadded = curH * curW;
    int newlines = curH;
    double ratio = Math.sqrt((double) curH * curW / (9.0 * patches * patches));
    if (ratio > 1.1) {
      unpadded = (int) Math.floor(curH / ratio) * (int) Math.floor(curW / ratio);
      newlines = (int) Math.floor(curH / ratio);
    }
    return patches * patches + unpadded + newlines;
  }

  @Test
  void the_hub_geometry_of_27_patches_a_384_px_tile_counts_as_the_processor(@TempDir Path tmp) throws IOException {
    // config.json without vision_config and pinpoints: LlavaOnevisionConfig's defaults (SigLIP so400m/14 at 384 px)
    Files.writeString(tmp.resolve("config.json"), "{\"model_type\": \"llava_onevision\", \"text_config\": "
        + "{\"hidden_size\": 64, \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"num_hidden_layers\": 1}}");
    OnevisionConfig c = OnevisionConfig.read(ConfigJson.read(tmp));
    assertEquals(384, c.vision().imageSize());
    assertEquals(27, c.vision().gridSize(), "384 // 14: the strided convolution leaves the last 6 px out");
    assertEquals(729, c.vision().tokensPerCrop());
    assertEquals(26, c.featureHiddenIndex());
    assertEquals(151646, c.imageTokenIndex());
    for (int[] hw : new int[][] {{384, 384}, {480, 640}, {640, 480}, {1000, 300}, {300, 1000}, {1080, 1920},
        {2304, 2304}, {37, 2000}, {768, 1537}}) {
      ImageFeatureLayout l = OnevisionFamily.INSTANCE.layoutForModel(new ImageSize(hw[0], hw[1]), c);
      assertEquals(processorCount(hw[0], hw[1], 384, 27, c.pinpoints()), l.tokenCount(), l.toString());
      for (ImageTokenLocation loc : l.attribution().locations()) {
        PixelBox b = loc.box();
        assertTrue(b.x() >= 0 && b.y() >= 0 && b.x() + b.width() <= hw[1] && b.y() + b.height() <= hw[0], b.toString());
      }
    }
    assertEquals(1485, OnevisionFamily.INSTANCE.layoutForModel(new ImageSize(384, 384), c).tokenCount());
  }

  @Test
  void bilinear_weights_are_pytorchs_align_corners_false_ones() {
    // 8 -> 6: scale 4/3, output 0 samples at max(0, 0.5 * 4/3 - 0.5) = 1/6
    float[] l0 = OnevisionFeatureLayout.lambdas(0, 8, 6);
    assertEquals(0, (int) l0[0]);
    assertEquals(1, (int) l0[1]);
    assertEquals(1f / 6, l0[3], 1e-7);
    float[] l5 = OnevisionFeatureLayout.lambdas(5, 8, 6);   // 5.5 * 4/3 - 0.5 = 6.8333
    assertEquals(6, (int) l5[0]);
    assertEquals(7, (int) l5[1]);
    float[] edge = OnevisionFeatureLayout.lambdas(2, 3, 3);  // same size: on the sample
    assertEquals(2, (int) edge[0]);
    assertEquals(2, (int) edge[1], "the last index has no right neighbour");
    assertEquals(6.0, OnevisionFeatureLayout.pyFloorDiv(8, 8 / 6.0));
    assertEquals(2.0, OnevisionFeatureLayout.pyFloorDiv(7, 3.0));
  }

  /** Union of the tile patches' boxes (crop > 0) as {@code [rows][cols]} coverage. */
  private static boolean[][] tileCoverage(List<ImageTokenLocation> locations, int h, int w) {
    boolean[][] covered = new boolean[h][w];
    for (ImageTokenLocation loc : locations) {
      PixelBox b = loc.box();
      assertTrue(b.x() >= 0 && b.y() >= 0 && b.x() + b.width() <= w && b.y() + b.height() <= h, b.toString());
      if (loc.crop() > 0) {
        for (int y = b.y(); y < b.y() + b.height(); y++) {
          for (int x = b.x(); x < b.x() + b.width(); x++) {
            covered[y][x] = true;
          }
        }
      }
    }
    return covered;
  }

  @Test
  void pixel_boxes_stay_inside_the_image_and_the_tiles_cover_what_unpadding_keeps() {
    OnevisionConfig c = config();
    // 100 x 96: unpadding keeps the whole 8 x 8 grid (downscaled to 6 x 6): the tiles cover every pixel
    ImageFeatureLayout big = OnevisionFamily.INSTANCE.layoutForModel(new ImageSize(100, 96), c);
    for (List<ImageTokenLocation> locs : List.of(big.attribution().locations(), big.locations())) {
      boolean[][] covered = tileCoverage(locs, 100, 96);
      for (int y = 0; y < 100; y++) {
        for (int x = 0; x < 96; x++) {
          assertTrue(covered[y][x], "pixel (" + y + ", " + x + ") in no tile box");
        }
      }
    }
    // 30 x 70: resized to 36 x 84, pasted 10 px down a 56 px canvas; unpadding keeps grid rows 1-2 (canvas rows
    // 14-42, resized rows 4-32, original rows 3.33-26.67): the tiles cover rows [3, 27), every column
    ImageFeatureLayout small = OnevisionFamily.INSTANCE.layoutForModel(new ImageSize(30, 70), c);
    boolean[][] covered = tileCoverage(small.locations(), 30, 70);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 70; x++) {
        assertEquals(y >= 3 && y < 27, covered[y][x], "pixel (" + y + ", " + x + ")");
      }
    }
    // the base view's patch (1, 1) of a 28 px tile (patch 14) covers the lower right quarter
    assertEquals(new PixelBox(35, 15, 35, 15), small.locations().get(3).box());
    // a downscaled cell's box is its footprint: the first of 6 x 6 cells spans 8/6 of the 8 x 8 grid's 14 px patches
    // on each axis (18.7 canvas px); the image was resized to 112 x 108 and pasted 2 px right, so the box is about
    // 17 rows (18.7 * 100 / 112) by 15 columns ((18.7 - 2) * 96 / 108)
    PixelBox first = big.locations().get(4).box();
    assertEquals(0, first.x());
    assertEquals(0, first.y());
    assertTrue(first.width() == 15 && first.height() == 17,
        first.toString());
  }

  @Test
  void libtorch_refuses_the_family_saying_it_is_cpu_engine_only() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> LlavaModel.load(dir(), "torch:cpu", "auto"));
    assertTrue(e.getMessage().contains("CPU engine only") && e.getMessage().contains("llava_onevision")
        && e.getMessage().contains("--device cpu"), e.getMessage());
  }
}
