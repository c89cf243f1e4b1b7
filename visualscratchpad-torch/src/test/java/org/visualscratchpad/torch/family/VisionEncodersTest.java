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
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.clip.HookedVisionTower;
import org.visualscratchpad.torch.llava.LlavaModel;
import org.visualscratchpad.vision.VisionEncoder;

/** The one place a vision encoder is opened from a folder for statistics and SAE training. */
class VisionEncodersTest {
  static final HookPoint HOOK = HookPoint.visionResidPost(1);

  static BufferedImage image(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
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
  void onevision_and_qwen2vl_load_only_their_tower_up_to_the_hook_and_give_the_models_stream() throws Exception {
    for (String name : new String[] {"llava_onevision", "qwen2_vl"}) {
      Path dir = Fixtures.folder(name);
      VisionEncoder e = VisionEncoders.open(dir, HOOK, "cpu", "auto");
      try (LlavaModel model = LlavaModel.load(dir)) {
        HookedFamilyTower tower = assertInstanceOf(HookedFamilyTower.class, e, name);
        assertEquals(2, tower.loadedLayers(), name);
        assertTrue(tower.weightBytes() < model.weightBytes() / 2,
            name + ": " + tower.weightBytes() + " bytes held against the model's " + model.weightBytes());
        assertFalse(e.hasClsToken(), name + " has no CLS row");
        for (int[] size : new int[][] {{40, 30}, {30, 60}, {96, 100}}) {
          BufferedImage img = image(size[0], size[1]);
          long before = tower.layersRun();
          assertEquals(model.residualStream(img, HOOK), e.residualStream(img, HOOK), name + " " + size[0] + "x" + size[1]);
          assertEquals(2, tower.layersRun() - before, name + ": layers run for one image");
        }
        // a hook past the layers loaded is refused with the fix
        InvalidInputException ex = assertThrows(InvalidInputException.class,
            () -> e.residualStream(image(40, 30), HookPoint.visionResidPost(2)));
        assertTrue(ex.getMessage().contains("load it with that hook"), ex.getMessage());
      } finally {
        close(e);
      }
    }
  }

  @Test
  void on_libtorch_a_cpu_only_family_is_refused_naming_the_engine() {
    InvalidInputException ex = assertThrows(InvalidInputException.class,
        () -> VisionEncoders.open(Fixtures.folder("qwen2_vl"), HOOK, "torch:cpu", "auto"));
    assertTrue(ex.getMessage().contains("CPU engine only"), ex.getMessage());
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
