package org.visualscratchpad.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;

/** The ShapesWorld samples the server ships as PNG resources are the demo generator's scenes, pixel for pixel. */
class SampleImageTest {

  @Test
  void shippedScenesAreTheGeneratorsScenes() {
    assertSame(SampleImage.SHAPESWORLD_TWO_OBJECTS, 6, SceneDistribution.UNIFORM);
    assertSame(SampleImage.SHAPESWORLD_MISLEADING_CUE, 4, SceneDistribution.CUE_BROKEN);
    assertSame(SampleImage.SHAPESWORLD_THREE_OBJECTS, 1, SceneDistribution.UNIFORM);
  }

  private static void assertSame(SampleImage sample, long seed, SceneDistribution distribution) {
    BufferedImage expected = new SceneGenerator().generate(seed, distribution).image().toBufferedImage();
    BufferedImage shipped = sample.render();
    assertEquals(BufferedImage.TYPE_INT_RGB, shipped.getType(), sample.slug());
    assertEquals(expected.getWidth(), shipped.getWidth(), sample.slug());
    assertEquals(expected.getHeight(), shipped.getHeight(), sample.slug());
    int w = expected.getWidth();
    int h = expected.getHeight();
    assertArrayEquals(expected.getRGB(0, 0, w, h, null, 0, w), shipped.getRGB(0, 0, w, h, null, 0, w), sample.slug());
  }
}
