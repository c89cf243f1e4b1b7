package org.visualscratchpad.torch.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.llava.LlavaModel;

/**
 * The vision tower loaded and run only up to the SAE's hook: the same stream as the whole model's
 * (LlavaModel on the CPU engine, ClipModel on libtorch), with only the layers before the hook held and run.
 */
class HookedVisionTowerTest {

  static BufferedImage image(int w, int h, long seed) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    return img;
  }

  private static void assertSame(List<FloatMatrix> expected, List<FloatMatrix> actual) {
    assertEquals(expected.size(), actual.size());
    for (int c = 0; c < expected.size(); c++) {
      assertEquals(expected.get(c), actual.get(c), "crop " + c + " differs");
    }
  }

  @Test
  void a_llava_tower_holds_and_runs_only_the_layers_before_the_hook_and_gives_the_models_stream() {
    for (String name : List.of("llava", "llava_next_llama3")) {
      Path dir = Fixtures.folder(name);
      HookPoint hook = HookPoint.visionResidPost(1);   // hidden_states[2]; the tower has 4 layers
      try (LlavaModel model = LlavaModel.load(dir);
          HookedVisionTower tower = HookedVisionTower.load(dir, hook, "cpu", "auto")) {
        assertTrue(tower.onCpuEngine());
        assertEquals(2, tower.loadedLayers(), name);
        assertEquals(model.numLayers(), tower.numLayers());
        for (int[] size : new int[][] {{40, 30}, {30, 60}, {50, 50}}) {
          BufferedImage img = image(size[0], size[1], size[0] * 7L + size[1]);
          long before = tower.layersRun();
          List<FloatMatrix> crops = tower.residualStream(img, hook);
          assertEquals(2, tower.layersRun() - before, "layers run for one image");
          assertSame(model.residualStream(img, hook), crops);
          if (name.equals("llava_next_llama3")) {
            assertTrue(crops.size() > 1, "anyres crops");
          }
        }
        // an earlier hook works with the layers held; a later one needs another load
        assertSame(model.residualStream(image(20, 20, 1), HookPoint.visionResidPost(0)),
            tower.residualStream(image(20, 20, 1), HookPoint.visionResidPost(0)));
        InvalidInputException deeper = assertThrows(InvalidInputException.class,
            () -> tower.residualStream(image(20, 20, 1), HookPoint.visionResidPost(2)));
        assertTrue(deeper.getMessage().contains("load it with that hook"), deeper.getMessage());
      }
    }
  }

  @Test
  void a_clip_tower_gives_clip_models_stream_on_libtorch_and_agrees_on_the_cpu_engine() {
    for (String name : List.of("clip", "clip_vision_336style")) {
      Path dir = Fixtures.folder(name);
      HookPoint hook = HookPoint.visionResidPost(2);
      try (ClipModel model = ClipModel.load(dir);
          HookedVisionTower torch = HookedVisionTower.load(dir, hook, "torch:cpu", "auto");
          HookedVisionTower cpu = HookedVisionTower.load(dir, hook, "cpu", "auto")) {
        assertFalse(torch.onCpuEngine());
        assertEquals(3, torch.loadedLayers());
        assertEquals(3, cpu.loadedLayers());
        BufferedImage img = image(45, 33, 9);
        List<FloatMatrix> reference = model.residualStream(img, hook);
        assertSame(reference, torch.residualStream(img, hook));
        List<FloatMatrix> onCpu = cpu.residualStream(img, hook);
        assertTrue(reference.get(0).maxAbsDiff(onCpu.get(0)) < 1e-4f, name + ": " + reference.get(0).maxAbsDiff(onCpu.get(0)));
        assertEquals(3, cpu.layersRun());
      }
    }
  }

  @Test
  void a_hook_outside_the_tower_or_a_folder_without_one_is_refused_with_the_reason() {
    assertTrue(HookedVisionTower.supports(Fixtures.folder("llava")));
    assertFalse(HookedVisionTower.supports(Fixtures.folder("llava_onevision")));
    Path dir = Fixtures.folder("clip");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> HookedVisionTower.load(dir, HookPoint.visionResidPost(9), "cpu", "auto"));
    assertTrue(e.getMessage().contains("must be less than the vision tower's 4 layers"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> HookedVisionTower.load(dir, HookPoint.visionResidPost(1), "cpu", "f8"));
    var bad = assertThrows(org.visualscratchpad.CheckpointFormatException.class,
        () -> HookedVisionTower.load(Fixtures.folder("qwen2_vl"), HookPoint.visionResidPost(1), "cpu", "auto"));
    assertTrue(bad.getMessage().contains("model_type"), bad.getMessage());
  }
}
