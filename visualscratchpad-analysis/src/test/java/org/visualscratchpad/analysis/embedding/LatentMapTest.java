package org.visualscratchpad.analysis.embedding;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.analysis.Fixtures;
import org.visualscratchpad.analysis.render.ScatterPicture;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.scratchpad.Picture;
import org.visualscratchpad.tensor.FloatMatrix;

class LatentMapTest {

  /** 4 tight groups of 30 directions, plus 3 far-away pairs: the k-NN graph has several components. */
  static FloatMatrix groupedDirections(long seed) {
    Random rnd = new Random(seed);
    int dim = 16;
    int n = 4 * 30 + 6;
    float[] d = new float[n * dim];
    for (int j = 0; j < n; j++) {
      int group = j < 120 ? j / 30 : 4 + (j - 120) / 2;
      for (int c = 0; c < dim; c++) {
        float centre = c == group ? 1f : 0f;
        d[j * dim + c] = centre + 0.05f * (float) rnd.nextGaussian();
      }
    }
    return FloatMatrix.of(n, dim, d);
  }

  @Test
  void every_latent_is_placed_even_when_the_graph_has_several_components() {
    FloatMatrix directions = groupedDirections(1);
    UmapOptions options = new UmapOptions(10, 50, 0.1, 7);
    LatentMap map = LatentMap.of(directions, options).withClusters(4, 3);
    assertEquals(126, map.dSae());
    assertTrue(map.pieces() >= 2, "expected several pieces, got " + map);
    java.util.Set<String> positions = new java.util.HashSet<>();
    for (int j = 0; j < map.dSae(); j++) {
      assertTrue(Float.isFinite(map.x(j)) && Float.isFinite(map.y(j)), "latent " + j + " not placed");
      positions.add(map.x(j) + "," + map.y(j));
      assertTrue(map.label(j) >= 0 && map.label(j) < 4);
    }
    assertTrue(positions.size() > 100, "latents collapsed onto " + positions.size() + " positions");
    // the k-NN graph and so the split into pieces is deterministic; the coordinates are not bit-reproducible
    // within one JVM (ARPACK's native start vector keeps process-wide state; see LatentMap's Javadoc)
    LatentMap again = LatentMap.of(directions, options);
    assertEquals(map.pieces(), again.pieces());
    assertTrue(map.toString().contains("seed 7"), map.toString());
  }

  @Test
  void umap_of_the_fixture_sae_decoder_with_a_picture() throws Exception {
    try (SafetensorsFile sae = SafetensorsFile.open(Fixtures.scratchpadLlava().resolve("sae/sae_weights.safetensors"))) {
      FloatMatrix wDec = sae.floatMatrix("W_dec");
      LatentMap map = LatentMap.of(wDec, new UmapOptions(12, 60, 0.1, 1)).withClusters(6, 1);
      assertEquals(256, map.dSae());
      for (int j = 0; j < 256; j++) {
        assertTrue(Float.isFinite(map.x(j)) && Float.isFinite(map.y(j)));
      }
      Picture p = ScatterPicture.render(map.plot());
      assertArrayEquals(p.png(), ScatterPicture.render(map.plot()).png());
      p.save(Fixtures.pictures().resolve("umap-decoder.png"));
      p.save(Fixtures.pictures().resolve("umap-decoder.svg"));
    }
  }

  @Test
  void bad_input_is_rejected() {
    assertThrows(InvalidInputException.class, () -> LatentMap.of(FloatMatrix.zeros(1, 4), UmapOptions.defaults()));
    var nan = assertThrows(InvalidInputException.class,
        () -> LatentMap.of(FloatMatrix.of(2, 2, new float[] {1, Float.NaN, 0, 1}), UmapOptions.defaults()));
    assertTrue(nan.getMessage().contains("decoder row 0"), nan.getMessage());
    assertThrows(InvalidInputException.class, () -> new UmapOptions(1, 100, 0.1, 0));
  }
}
