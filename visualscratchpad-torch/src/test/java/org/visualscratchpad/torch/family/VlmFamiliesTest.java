package org.visualscratchpad.torch.family;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.layout.PackedImageToken;
import org.visualscratchpad.torch.llava.LlavaModel;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/** The family registry and the parts of the seam every family shares. */
class VlmFamiliesTest {

  @Test
  void the_llava_families_are_registered_by_model_type() {
    assertEquals("llava", VlmFamilies.find("llava").orElseThrow().modelType());
    assertEquals("llava_next", VlmFamilies.find("llava_next").orElseThrow().modelType());
    assertTrue(VlmFamilies.find("llava").orElseThrow().runsOnLibtorch());
    assertFalse(VlmFamilies.supports("gemma3"));
    for (VlmFamily f : VlmFamilies.all()) {
      assertFalse(f.hubNames().isEmpty(), f.modelType());
    }
  }

  @Test
  void an_unknown_model_type_is_refused_naming_the_file_the_value_and_every_supported_family(@TempDir Path dir)
      throws IOException {
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gemma3\"}");
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
        () -> VlmFamilies.forConfig(ConfigJson.read(dir)));
    for (String part : List.of("config.json", "model_type", "gemma3", "llava", "llava_next")) {
      assertTrue(e.getMessage().contains(part), part + " in " + e.getMessage());
    }
    CheckpointFormatException load = assertThrows(CheckpointFormatException.class, () -> LlavaModel.load(dir));
    assertEquals(e.getMessage(), load.getMessage());
    Files.writeString(dir.resolve("config.json"), "{}");
    assertTrue(assertThrows(CheckpointFormatException.class, () -> LlavaModel.load(dir)).getMessage()
        .contains("model_type (missing)"));
  }

  /** A two-token layout: a plain patch, then a token that mixes two patches 3:1. */
  private static ImageFeatureLayout mixedLayout() {
    ImageTokenLocation a = new ImageTokenLocation(0, 0, 0, 0, 0, new PixelBox(0, 0, 2, 2), 0);
    ImageTokenLocation b = new ImageTokenLocation(1, 0, 0, 1, 1, new PixelBox(2, 0, 2, 2), 1);
    ImageTokenLocation c = new ImageTokenLocation(2, 0, 1, 0, 2, new PixelBox(0, 2, 2, 2), 2);
    List<PackedImageToken> tokens = List.of(
        new PackedImageToken.Patch(0, 0, a),
        new PackedImageToken.Mixed(1, new int[] {1, 2}, new float[] {0.75f, 0.25f}, List.of(b, c),
            new ImageTokenLocation(1, 0, 0, 1, 1, new PixelBox(0, 0, 4, 4), 1)),
        new PackedImageToken.Newline(2, 0),
        new PackedImageToken.Mixed(3, new int[] {0, 2}, new float[] {0.5f, 0.5f}, List.of(a, c), a));
    return new ImageFeatureLayout() {
      @Override
      public int tokenCount() {
        return tokens.size();
      }

      @Override
      public int cropCount() {
        return 1;
      }

      @Override
      public List<PackedImageToken> tokens() {
        return tokens;
      }

      @Override
      public List<ImageTokenLocation> locations() {
        return List.of(a, b);
      }
    };
  }

  @Test
  void attention_to_a_mixed_token_is_spread_over_its_patches_by_their_weights() {
    ImageFeatureLayout.Attribution at = mixedLayout().attribution();
    assertFalse(at.identity());
    assertEquals(3, at.tokens(), "newline left out");
    assertEquals(List.of(0, 1, 2), at.locations().stream().map(ImageTokenLocation::patchIndex).toList());
    assertEquals(List.of(0, 1, 2), at.locations().stream().map(ImageTokenLocation::imageTokenIndex).toList());
    float[] spread = at.spread(new float[] {0.2f, 0.4f, 0.1f, 1f, 0f, 0f}, 2);
    assertArrayEquals(new float[] {0.2f + 0.05f, 0.3f, 0.1f + 0.05f, 1f, 0f, 0f}, spread, 1e-7f);
    // attention mass is kept
    assertEquals(0.7f, spread[0] + spread[1] + spread[2], 1e-6f);
  }

  @Test
  void packing_copies_patches_writes_newlines_and_sums_mixed_tokens() {
    float[] projected = {1, 10, 2, 20, 4, 40};   // three feature rows of width 2
    ImageFeatures f = FeaturePacking.pack(List.of(mixedLayout()), projected, 3, new float[] {-1, -2}, 2, null);
    assertEquals(4, f.count());
    assertArrayEquals(new float[] {1, 10, 2.5f, 25, -1, -2, 2.5f, 25}, f.features(), 1e-6f);
    assertArrayEquals(new boolean[] {false, false, true, false}, f.noPatch());
  }
}
