package org.visualscratchpad.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.visualscratchpad.InvalidInputException;

class HookPointTest {

  @Test
  void renders_and_parses_back_the_transformer_lens_form() {
    HookPoint hook = HookPoint.visionResidPost(18);
    assertEquals("vision.blocks.18.hook_resid_post", hook.toString());
    assertEquals(hook, HookPoint.parse(hook.toString()));
    assertEquals(19, hook.hiddenStatesIndex());
    HookPoint pre = HookPoint.parse("text.blocks.3.hook_resid_pre");
    assertEquals(new HookPoint(Tower.TEXT, 3, HookSite.RESID_PRE), pre);
    assertEquals(3, pre.hiddenStatesIndex());
  }

  @Test
  void accepts_hugging_face_module_paths_and_a_missing_tower() {
    assertEquals(HookPoint.visionResidPost(18), HookPoint.parse("vision_tower.vision_model.encoder.layers.18"));
    assertEquals(HookPoint.visionResidPost(1), HookPoint.parse("blocks.1.hook_resid_post"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "vision.blocks.x.hook_resid_post", "audio.blocks.1.hook_resid_post",
      "vision.blocks.1.hook_mlp_in", "vision.blocks.-1.hook_resid_post"})
  void rejects_malformed_names_with_a_message_that_shows_the_expected_form(String text) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> HookPoint.parse(text));
    assertTrue(e.getMessage().contains("hook") || e.getMessage().contains("tower"), e.getMessage());
  }

  @Test
  void a_vision_hook_is_checked_against_the_towers_layers_and_gives_its_hidden_states_index() {
    assertEquals(19, HookPoint.checkedVisionIndex(HookPoint.parse("vision.blocks.18.hook_resid_post"), 24, ""));
    assertEquals(24, HookPoint.checkedVisionIndex(HookPoint.parse("vision.blocks.24.hook_resid_pre"), 24, ""));
    org.visualscratchpad.InvalidInputException beyond = org.junit.jupiter.api.Assertions.assertThrows(
        org.visualscratchpad.InvalidInputException.class,
        () -> HookPoint.checkedVisionIndex(HookPoint.parse("vision.blocks.24.hook_resid_post"), 24, " of /m"));
    assertTrue(beyond.getMessage().contains("24 layers (0..23) of /m"), beyond.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(org.visualscratchpad.InvalidInputException.class,
        () -> HookPoint.checkedVisionIndex(null, 24, ""));
  }
}
