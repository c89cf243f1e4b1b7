package org.visualscratchpad.torch.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.clip.HookedVisionTower;
import org.visualscratchpad.torch.llava.LlavaModel;
import org.visualscratchpad.vision.VisionEncoder;

/** The one place a vision encoder is opened from a folder for statistics and SAE training. */
class VisionEncodersTest {
  static final HookPoint HOOK = HookPoint.visionResidPost(1);

  static BufferedImage image() {
    BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        img.setRGB(x, y, (x * 37 + y * 11) * 2654435 & 0xffffff);
      }
    }
    return img;
  }

  static void close(VisionEncoder e) throws Exception {
    ((AutoCloseable) e).close();
  }

  @Test
  void a_llava_folder_gives_the_tower_up_to_the_hook_only() throws Exception {
    VisionEncoder e = VisionEncoders.open(Fixtures.folder("llava"), HOOK, "cpu", "auto");
    try {
      HookedVisionTower tower = assertInstanceOf(HookedVisionTower.class, e);
      assertEquals(2, tower.loadedLayers());
      assertTrue(e.hasClsToken());
    } finally {
      close(e);
    }
  }

  @Test
  void a_family_without_a_hooked_tower_gives_its_whole_model_with_the_same_stream() throws Exception {
    for (String name : new String[] {"llava_onevision", "qwen2_vl"}) {
      Path dir = Fixtures.folder(name);
      VisionEncoder e = VisionEncoders.open(dir, HOOK, "cpu", "auto");
      try (LlavaModel model = LlavaModel.load(dir)) {
        assertInstanceOf(LlavaModel.class, e, name);
        assertFalse(e.hasClsToken(), name + " has no CLS row");
        assertEquals(model.residualStream(image(), HOOK), e.residualStream(image(), HOOK), name);
      } finally {
        close(e);
      }
    }
  }

  @Test
  void a_missing_preprocessor_config_is_named_before_any_weight_is_read(@TempDir Path tmp) throws Exception {
    Path dir = Fixtures.folder("llava_onevision");
    Files.copy(dir.resolve("config.json"), tmp.resolve("config.json"));
    // no weights at all: the refusal must come from the preprocessor check, not from loading
    CheckpointFormatException ex = assertThrows(CheckpointFormatException.class,
        () -> VisionEncoders.open(tmp, HOOK, "cpu", "auto"));
    assertTrue(ex.getMessage().contains("preprocessor_config.json"), ex.getMessage());
  }
}
