package org.visualscratchpad.torch.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.torch.input.layout.FeatureSelect;
import org.visualscratchpad.torch.input.prompt.ChatMessage;

class InputPipelineTest {

  /** A checkpoint folder: a fixture's preprocessor_config.json plus one of the test tokenizers. */
  private static Path checkpoint(Path dir, String fixture, String tokenizer) throws IOException, URISyntaxException {
    Files.copy(HfReference.fixture(fixture).resolve("preprocessor_config.json"), dir.resolve("preprocessor_config.json"));
    Path tok = Path.of(InputPipelineTest.class.getResource("/tokenizers/" + tokenizer).toURI());
    try (var files = Files.list(tok)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    return dir;
  }

  @Test
  void a_llava_next_checkpoint_gives_the_fixture_pixels_and_52_expanded_image_tokens(@TempDir Path dir) throws Exception {
    Path model = checkpoint(dir, "llava_next_llama3", "llama3");
    try (InputPipeline pipeline = InputPipeline.open(model, new InputSpec(7, 3, FeatureSelect.DEFAULT, 512));
        SafetensorsFile inputs = SafetensorsFile.open(HfReference.fixture("llava_next_llama3").resolve("inputs.safetensors"))) {
      VlmInputs in = pipeline.prepare(List.of(HfReference.rawImage(inputs, 0)),
          List.of(ChatMessage.userWithImage("What is shown in this image?")), 8);
      float[] expected = inputs.floats("pixel_values");
      assertArrayEquals(java.util.Arrays.copyOf(expected, 5 * 3 * 28 * 28), in.images().get(0).toArray());
      assertEquals(52, in.prompt().imageTokenCount());
      assertEquals(6, in.prompt().ids().get(0));
      assertEquals(1, in.prompt().ids().count(6), "exactly one <|begin_of_text|>");
      assertEquals(4, in.prompt().imageSpans().get(0).start());
    }
  }

  @Test
  void the_layout_from_an_image_size_alone_is_the_one_prepare_gives_for_llava_next_and_llava(@TempDir Path dir)
      throws Exception {
    for (String[] f : new String[][] {{"llava_next_llama3", "llama3"}, {"llava", "llama3"}}) {
      Path model = checkpoint(Files.createDirectories(dir.resolve(f[0])), f[0], f[1]);
      try (InputPipeline pipeline = InputPipeline.open(model, new InputSpec(7, 3, FeatureSelect.DEFAULT, 4096))) {
        for (int[] hw : new int[][] {{50, 18}, {30, 70}, {64, 64}}) {
          var image = org.visualscratchpad.torch.input.image.RgbImage.filled(hw[0], hw[1], 10, 200, 30);
          VlmInputs in = pipeline.prepare(List.of(image), List.of(ChatMessage.userWithImage("What?")), 8);
          var layout = pipeline.layoutFor(new org.visualscratchpad.torch.input.preprocess.ImageSize(hw[0], hw[1]));
          assertEquals(in.layouts().get(0).locations(), layout.locations(), f[0] + " " + hw[0] + "x" + hw[1]);
          assertEquals(in.layouts().get(0).tokenCount(), layout.tokenCount());
        }
      }
    }
  }

  @Test
  void a_template_that_writes_bos_gets_no_second_one_and_mismatched_images_are_rejected(@TempDir Path dir)
      throws Exception {
    Path model = checkpoint(dir, "llava_next_mistral", "mistral");
    try (InputPipeline pipeline = InputPipeline.open(model, new InputSpec(7, 3, FeatureSelect.DEFAULT, 60))) {
      var image = org.visualscratchpad.torch.input.image.RgbImage.filled(50, 18, 10, 200, 30);
      VlmInputs in = pipeline.prepare(List.of(image), List.of(ChatMessage.userWithImage("What is shown?")), 8);
      assertEquals(1, in.prompt().ids().count(1));
      assertEquals(40, in.prompt().imageTokenCount());
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> pipeline.prepare(List.of(image, image), List.of(ChatMessage.userWithImage("What?")), 8));
      assertTrue(e.getMessage().contains("1 image parts but 2 images"), e.getMessage());
      InvalidInputException tooLong = assertThrows(InvalidInputException.class,
          () -> pipeline.prepare(List.of(image), List.of(ChatMessage.userWithImage("What is shown?")), 20));
      assertTrue(tooLong.getMessage().contains("60 positions"), tooLong.getMessage());
    }
  }
}
