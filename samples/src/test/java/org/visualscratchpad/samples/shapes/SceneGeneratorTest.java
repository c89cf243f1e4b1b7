package org.visualscratchpad.samples.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SceneGeneratorTest {
  private final SceneGenerator generator = new SceneGenerator();

  @ParameterizedTest
  @EnumSource(SceneDistribution.class)
  void the_same_seed_gives_the_same_scene_pixel_for_pixel(SceneDistribution distribution) {
    for (long seed = 0; seed < 20; seed++) {
      Scene a = generator.generate(seed, distribution);
      Scene b = generator.generate(seed, distribution);
      assertEquals(a.objects(), b.objects(), "seed " + seed);
      assertEquals(a.image(), b.image(), "seed " + seed);
    }
  }

  @Test
  void different_seeds_give_different_images() {
    assertNotEquals(generator.generate(1, SceneDistribution.TRAINING).image(), generator.generate(2, SceneDistribution.TRAINING).image());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
  void each_object_is_drawn_in_its_colour_at_its_centre_inside_its_quadrant(long seed) {
    Scene scene = generator.generate(seed, SceneDistribution.UNIFORM);
    for (SceneObject o : scene.objects()) {
      int half = SceneGenerator.IMAGE_SIZE / 2;
      assertTrue(o.centerX() - o.radius() >= o.quadrant().column() * half
          && o.centerX() + o.radius() < (o.quadrant().column() + 1) * half, "seed " + seed + ": " + o);
      assertTrue(o.centerY() - o.radius() >= o.quadrant().row() * half
          && o.centerY() + o.radius() < (o.quadrant().row() + 1) * half, "seed " + seed + ": " + o);
      // the centre pixel lies inside every shape (for a triangle, just below the apex-base midpoint)
      for (int c = 0; c < 3; c++) {
        int drawn = scene.image().get(o.centerX(), o.centerY(), c);
        assertTrue(Math.abs(drawn - o.colour().channel(c)) <= 15,
            "seed " + seed + " " + o + " channel " + c + ": drawn " + drawn + ", nominal " + o.colour().channel(c));
      }
    }
  }

  @Test
  void a_pixel_far_from_every_object_is_background_grey() {
    Scene scene = generator.generate(3, SceneDistribution.UNIFORM);
    Quadrant empty = null;
    for (Quadrant q : Quadrant.values()) {
      if (scene.objects().stream().noneMatch(o -> o.quadrant() == q)) {
        empty = q;
      }
    }
    if (empty == null) {
      return; // three objects leave one quadrant empty; fewer leave more, so this never happens
    }
    int x = empty.column() * 32 + 16;
    int y = empty.row() * 32 + 16;
    int spread = Math.max(Math.abs(scene.image().get(x, y, 0) - scene.image().get(x, y, 1)),
        Math.abs(scene.image().get(x, y, 1) - scene.image().get(x, y, 2)));
    assertTrue(spread <= 40, "background pixel should be near grey, channel spread " + spread);
  }

  @Test
  void training_scenes_carry_the_planted_cue_and_held_out_scenes_do_not() {
    int[] training = cueCounts(SceneDistribution.TRAINING);
    int[] uniform = cueCounts(SceneDistribution.UNIFORM);
    int[] broken = cueCounts(SceneDistribution.CUE_BROKEN);
    double trainingRate = (double) training[1] / training[0];
    double uniformRate = (double) uniform[1] / uniform[0];
    assertTrue(trainingRate > 0.9, "yellow triangles among yellow training objects: " + trainingRate);
    assertTrue(uniformRate > 0.15 && uniformRate < 0.35, "yellow triangles among yellow uniform objects: " + uniformRate);
    assertEquals(600, broken[0], "every cue-broken scene has a yellow object");
    assertEquals(0, broken[1], "no cue-broken scene has a yellow triangle");
  }

  private int[] cueCounts(SceneDistribution distribution) {
    int yellow = 0;
    int yellowTriangles = 0;
    for (long seed = 0; seed < 600; seed++) {
      for (SceneObject o : generator.generate(seed, distribution).objects()) {
        if (o.colour() == Colour.YELLOW) {
          yellow++;
          if (o.shape() == ShapeKind.TRIANGLE) {
            yellowTriangles++;
          }
        }
      }
    }
    return new int[] {yellow, yellowTriangles};
  }

  @Test
  void scenes_hold_one_to_three_objects_and_every_count_occurs() {
    int[] counts = new int[4];
    for (long seed = 0; seed < 300; seed++) {
      counts[generator.generate(seed, SceneDistribution.TRAINING).objects().size()]++;
    }
    assertEquals(0, counts[0]);
    for (int n = 1; n <= 3; n++) {
      assertTrue(counts[n] > 60, "scenes with " + n + " objects: " + counts[n]);
    }
  }

  @Test
  void description_lists_objects_in_reading_order() {
    Scene scene = generator.generate(11, SceneDistribution.TRAINING);
    StringBuilder expected = new StringBuilder();
    for (SceneObject o : scene.objects()) {
      expected.append(expected.length() == 0 ? "" : " and ").append("a ").append(o.size().word()).append(' ')
          .append(o.colour().word()).append(' ').append(o.shape().word());
    }
    assertEquals(expected.toString(), scene.description());
    assertTrue(scene.toString().contains(scene.description()));
  }
}
