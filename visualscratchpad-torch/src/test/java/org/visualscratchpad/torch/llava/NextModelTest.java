package org.visualscratchpad.torch.llava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.attention.AttentionConvention;
import org.visualscratchpad.attention.AttentionTap;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.checkpoint.TensorFile;
import org.visualscratchpad.torch.trace.DenseTensor;

/** LLaVA-NeXT specifics: per-crop hooks and attention columns without the newline tokens. */
class NextModelTest {

  @Test
  void hooks_return_every_crop_and_attention_skips_newline_tokens() {
    var dir = Fixtures.folder("llava_next_llama3");
    try (LlavaModel model = LlavaModel.load(dir); TensorFile in = TensorFile.open(dir.resolve("inputs.safetensors"));
        TensorFile out = TensorFile.open(dir.resolve("outputs.safetensors"))) {
      DenseTensor px = in.tensor("pixel_values");
      long[] size = in.longs("image_sizes");
      ImageInput image = new ImageInput(px.slice(0), (int) size[0], (int) size[1]);
      var layout = (org.visualscratchpad.torch.input.layout.LlavaNextFeatureLayout) model.layoutOf(image);
      assertEquals(5, layout.cropCount());
      assertEquals(52, model.imageTokenCount(image));

      List<FloatMatrix> crops = model.residualStream(image, HookPoint.visionResidPost(2));
      assertEquals(5, crops.size());
      FloatMatrix selected = out.tensor("vision_tower.selected_feature").asMatrix();   // [8 * 16, 32]
      for (int c = 0; c < 5; c++) {
        FloatMatrix patches = crops.get(c).rowRange(1, 17);
        assertTrue(patches.maxAbsDiff(selected.rowRange(c * 16, c * 16 + 16)) < 1e-5f, "crop " + c);
      }

      List<Integer> prompt = Arrays.stream(in.longs("single.input_ids")).mapToObj(v -> (int) v).toList();
      Generation g = model.generate(GenerationRequest.of(prompt, List.of(image), 3)
          .withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP)));
      int newlines = layout.newlineCount();
      assertEquals(52 - newlines, g.imageTokenPositions().size());
      assertEquals(52 - newlines, g.attention().weights().cols());
      int first = prompt.indexOf(model.config().imageTokenIndex());
      int keptCols = layout.keptColEnd() - layout.keptColStart();
      for (int r = 0; r < newlines; r++) {
        int newlinePosition = first + 16 + r * (keptCols + 1) + keptCols;
        assertFalse(g.imageTokenPositions().contains(newlinePosition), "newline at " + newlinePosition);
      }
      List<Long> expected = Arrays.stream(out.longs("single.generated_ids")).boxed().toList();
      for (int t = 0; t < 3; t++) {
        assertEquals(expected.get(prompt.size() + t).intValue(), g.newTokens().get(t));
      }
    }
  }
}
