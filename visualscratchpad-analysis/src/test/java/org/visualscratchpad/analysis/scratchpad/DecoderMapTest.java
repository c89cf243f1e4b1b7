package org.visualscratchpad.analysis.scratchpad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.scratchpad.AnalysisProvider;
import org.visualscratchpad.scratchpad.DecoderMap;
import org.visualscratchpad.tensor.FloatMatrix;

/** {@link AnalysisProvider#mapDecoder} and {@link AnalysisProvider#clusterMap} through the service provider. */
class DecoderMapTest {

  /** An SAE whose only working part is its decoder: 3 groups of 30 latents around 3 orthogonal directions (seeded noise). */
  static SparseAutoencoder groupedDecoder(int perGroup, int dIn, long seed) {
    Random r = new Random(seed);
    float[][] rows = new float[3 * perGroup][dIn];
    for (int latentId = 0; latentId < rows.length; latentId++) {
      for (int c = 0; c < dIn; c++) {
        rows[latentId][c] = (float) (0.15 * r.nextGaussian());
      }
      rows[latentId][latentId / perGroup] += 1f;
    }
    return (SparseAutoencoder) Proxy.newProxyInstance(SparseAutoencoder.class.getClassLoader(),
        new Class<?>[] {SparseAutoencoder.class}, (proxy, method, args) -> switch (method.getName()) {
          case "dSae" -> rows.length;
          case "dIn" -> dIn;
          case "decoderDirection" -> rows[(Integer) args[0]].clone();
          case "toString" -> "GroupedDecoder[" + rows.length + " x " + dIn + "]";
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void latents_with_similar_decoder_directions_land_in_the_same_map_cluster() {
    SparseAutoencoder sae = groupedDecoder(30, 16, 3);
    DecoderMap map = AnalysisProvider.get().mapDecoder(sae, 1L);
    assertEquals(90, map.dSae());
    assertEquals(0, map.clusterCount());
    for (int latentId = 0; latentId < 90; latentId++) {
      assertTrue(Float.isFinite(map.positions().get(latentId, 0)) && Float.isFinite(map.positions().get(latentId, 1)));
      assertEquals(-1, map.clusters().get(latentId));
    }
    DecoderMap clustered = AnalysisProvider.get().clusterMap(map, 3);
    assertEquals(3, clustered.clusterCount());
    assertEquals(map.positions(), clustered.positions(), "clustering keeps the layout");
    // UMAP may split a group into pieces that are laid out apart (LatentMap packs pieces side by
    // side), so a few stragglers may land in another cluster: most of each group shares one
    // cluster, and the three groups' clusters differ
    Set<Integer> labels = new HashSet<>();
    for (int group = 0; group < 3; group++) {
      List<Integer> inGroup = clustered.clusters().subList(30 * group, 30 * group + 30);
      int majority = inGroup.stream().reduce((a, b) -> java.util.Collections.frequency(inGroup, a)
          >= java.util.Collections.frequency(inGroup, b) ? a : b).orElseThrow();
      int share = java.util.Collections.frequency(inGroup, majority);
      System.out.printf("group %d: %d of 30 in cluster %d (%s)%n", group, share, majority, clustered);
      assertTrue(share >= 24, "group " + group + " is spread over clusters " + inGroup);
      labels.add(majority);
    }
    assertEquals(3, labels.size(), "each group has its own cluster");
  }

  @Test
  void cluster_counts_and_map_shapes_are_validated() {
    DecoderMap map = new DecoderMap(FloatMatrix.of(3, 2, new float[6]), List.of(-1, -1, -1), 0, 0L, "test");
    assertThrows(InvalidInputException.class, () -> AnalysisProvider.get().clusterMap(map, 0));
    assertThrows(InvalidInputException.class, () -> AnalysisProvider.get().clusterMap(map, 4));
    assertThrows(InvalidInputException.class, () -> new DecoderMap(FloatMatrix.of(3, 2, new float[6]), List.of(-1, -1), 0, 0L, "x"));
    assertThrows(InvalidInputException.class, () -> new DecoderMap(FloatMatrix.of(3, 2, new float[6]), List.of(0, 0, 1), 1, 0L, "x"));
  }
}
