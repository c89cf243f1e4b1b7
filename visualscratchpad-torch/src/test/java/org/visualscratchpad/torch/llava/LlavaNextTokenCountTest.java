package org.visualscratchpad.torch.llava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.checkpoint.TensorFile;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.torch.input.layout.FeatureSelect;
import org.visualscratchpad.torch.input.layout.LlavaNextFeatureLayout;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;

/**
 * The LLaVA-NeXT image-token count of the one layout ({@link LlavaNextFeatureLayout}) that the input pipeline
 * lays out and the model packs by is transformers' count, for every size of {@code
 * ../shared/fixtures/llava-next-token-counts/counts.json}; a checkpoint's model gives the same count.
 */
class LlavaNextTokenCountTest {
  @Test
  void every_size_of_the_transformers_counts_gets_its_token_count_from_the_layout() throws IOException {
    JsonNode root = new ObjectMapper().readTree(
        Fixtures.shared("llava-next-token-counts").resolve("counts.json").toFile());
    List<String> wrong = new ArrayList<>();
    int cases = 0;
    int baseOnly = 0;
    for (JsonNode c : root.get("cases")) {
      int h = c.get("height").asInt();
      int w = c.get("width").asInt();
      // _get_number_of_features counts the CLS (num_additional_image_tokens = 1); the processor drops
      // it for the "default" strategy before expanding <image>, so the prompt holds one token fewer
      int expected = c.get("image_tokens").asInt() - 1;
      LlavaNextFeatureLayout pipeline = LlavaNextFeatureLayout.forModel(new ImageSize(h, w),
          PreprocessorConfig.LLAVA_NEXT_PINPOINTS, 336, 14, FeatureSelect.DEFAULT);
      if (pipeline.tokenCount() != expected) {
        wrong.add(h + "x" + w + ": transformers " + expected + ", LlavaNextFeatureLayout " + pipeline.tokenCount());
      }
      baseOnly += pipeline.newlineCount() == 0 ? 1 : 0;
      cases++;
    }
    assertEquals(1500, cases);
    assertTrue(baseOnly > 0, "the file holds sizes whose unpadded grid keeps no row");
    assertTrue(wrong.isEmpty(), wrong.size() + " sizes disagree, e.g. " + wrong.subList(0, Math.min(10, wrong.size())));
  }

  @Test
  void a_grid_with_no_row_left_after_unpadding_feeds_the_base_view_like_transformers() {
    // tiny fixture geometry: 28 px tiles, patch 7 (4 x 4 patches a crop)
    List<ImageSize> tiny = List.of(new ImageSize(28, 56), new ImageSize(56, 28), new ImageSize(56, 56),
        new ImageSize(84, 28), new ImageSize(28, 84));
    LlavaNextFeatureLayout wide = LlavaNextFeatureLayout.forModel(new ImageSize(10, 200), tiny, 28, 7,
        FeatureSelect.DEFAULT);
    assertEquals(0, wide.newlineCount(), wide.toString());
    assertEquals(16, wide.tokenCount(), "the base view's 16 tokens only");
    LlavaNextFeatureLayout tall = LlavaNextFeatureLayout.forModel(new ImageSize(200, 10), tiny, 28, 7,
        FeatureSelect.DEFAULT);
    assertEquals(0, tall.keptColEnd() - tall.keptColStart(), tall.toString());
    assertEquals(16 + 12, tall.tokenCount(), "base view plus one newline per kept row");
  }

  /** Sizes where the pipeline's count and the model's packing disagreed on the tiny NeXT fixture. */
  @Test
  void the_model_packs_as_many_features_as_the_pipeline_lays_out_at_sizes_that_failed() {
    var dir = Fixtures.folder("llava_next_llama3");
    try (LlavaModel model = LlavaModel.load(dir); TensorFile in = TensorFile.open(dir.resolve("inputs.safetensors"))) {
      List<Integer> fixturePrompt = Arrays.stream(in.longs("single.input_ids")).mapToObj(v -> (int) v).toList();
      int imageToken = model.config().imageTokenIndex();
      int first = fixturePrompt.indexOf(imageToken);
      int last = fixturePrompt.lastIndexOf(imageToken);
      ImagePreprocessor preprocessor = ImagePreprocessor.forCheckpoint(dir);
      List<ImageSize> pins = PreprocessorConfig.read(dir).imageGridPinpoints();
      for (int[] hw : new int[][] {{343, 392}, {47, 188}, {10, 200}, {200, 10}}) {
        int expected = LlavaNextFeatureLayout.forModel(new ImageSize(hw[0], hw[1]), pins, 28, 7, FeatureSelect.DEFAULT)
            .tokenCount();
        ImageInput image = ImageInput.from(preprocessor.preprocess(RgbImage.filled(hw[0], hw[1], 200, 40, 90)));
        assertEquals(expected, model.imageTokenCount(image), hw[0] + "x" + hw[1]);
        List<Integer> prompt = new ArrayList<>(fixturePrompt.subList(0, first));
        prompt.addAll(java.util.Collections.nCopies(expected, imageToken));
        prompt.addAll(fixturePrompt.subList(last + 1, fixturePrompt.size()));
        Generation g = model.generate(GenerationRequest.of(prompt, List.of(image), 2));
        assertEquals(2, g.newTokens().size(), hw[0] + "x" + hw[1]);
      }
    }
  }
}
