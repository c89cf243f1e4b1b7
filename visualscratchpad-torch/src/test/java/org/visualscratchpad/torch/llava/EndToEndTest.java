package org.visualscratchpad.torch.llava;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.checkpoint.TensorFile;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;

/** From a raw uint8 image through the input pipeline's preprocessing to the reference greedy tokens. */
class EndToEndTest {

  @ParameterizedTest
  @ValueSource(strings = {"llava", "llava_next_mistral"})
  void raw_image_to_tokens_matches_transformers(String fixture) {
    Path dir = Fixtures.folder(fixture);
    try (LlavaModel model = LlavaModel.load(dir); TensorFile in = TensorFile.open(dir.resolve("inputs.safetensors"));
        TensorFile out = TensorFile.open(dir.resolve("outputs.safetensors"))) {
      long[] shape = in.shape("raw_image.0");
      long[] raw = in.longs("raw_image.0");
      byte[] hwc = new byte[raw.length];
      for (int i = 0; i < raw.length; i++) {
        hwc[i] = (byte) raw[i];
      }
      RgbImage rgb = RgbImage.of((int) shape[0], (int) shape[1], hwc);
      ImageInput image = ImageInput.from(ImagePreprocessor.forCheckpoint(dir).preprocess(rgb));
      List<Integer> prompt = Arrays.stream(in.longs("single.input_ids")).mapToObj(v -> (int) v).toList();
      Generation g = model.generate(GenerationRequest.of(prompt, List.of(image), 8));
      List<Integer> expected = Arrays.stream(out.longs("single.generated_ids")).mapToObj(v -> (int) v).toList();
      assertEquals(expected, g.sequence());
      float[] ref = out.tensor("single.generated_step_logits").toArray();
      float max = 0;
      for (int i = 0; i < ref.length; i++) {
        max = Math.max(max, Math.abs(ref[i] - g.stepLogits().get(i / g.stepLogits().cols(), i % g.stepLogits().cols())));
      }
      System.out.println(fixture + ": raw image -> step logits max |err| " + max);
      org.junit.jupiter.api.Assertions.assertTrue(max <= 1e-4f, "step logits differ by " + max);
    }
  }
}
