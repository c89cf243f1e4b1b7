package org.visualscratchpad.samples.families;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AnswerDiff;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.ClusterOptions;
import org.visualscratchpad.scratchpad.HeatmapOptions;
import org.visualscratchpad.scratchpad.LatentCluster;
import org.visualscratchpad.scratchpad.LatentClusters;
import org.visualscratchpad.scratchpad.LatentRanking;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.PhaseTiming;
import org.visualscratchpad.scratchpad.RankOptions;
import org.visualscratchpad.scratchpad.RankedLatent;
import org.visualscratchpad.torch.FamilyFixtureFiles;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.TokenLatentHeatmap;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * The paper's loop, ask -> rankLatents -> heatmap -> cluster -> ablate -> regenerate, end to end on
 * LLaVA-OneVision: the llava_onevision fixture's weights (SigLIP without CLS, Qwen2, the downscaled anyres grid),
 * a word-level tokenizer over its 200 ids, a Qwen-style chat template and a small SAE after SigLIP layer 1. The
 * rankings are checked against the formula {@code score = sum_k attn[k] h[k]} over the answer's attention columns
 * (the grid's patches, each mixed token's attention spread by its bilinear weights) and SAE rows.
 */
class OnevisionEndToEndTest {

  @Test
  void ask_rank_heatmap_cluster_ablate_regenerate(@TempDir Path dir) throws IOException {
    Path model = FamilyFixtureFiles.onevisionModel(dir.resolve("model"));
    Path sae = FamilyFixtureFiles.onevisionSae(dir.resolve("sae"), 64);
    BufferedImage image = new BufferedImage(96, 100, BufferedImage.TYPE_INT_RGB);   // 4 x 4 tiles, downscaled grid
    for (int y = 0; y < 100; y++) {
      for (int x = 0; x < 96; x++) {
        image.setRGB(x, y, ((x * 2) << 16) | ((y * 2) << 8) | ((x * y) % 256));
      }
    }
    try (Scratchpad pad = Scratchpad.load(LoadSpec.of(model, sae))) {
      Answer answer = pad.ask(image, "w10 w11 w12", AskOptions.defaults().withMaxNewTokens(6));
      assertEquals(6, answer.generated().size());
      assertEquals(17, answer.activations().size());
      assertEquals(4, answer.activations().get(0).rows(), "SigLIP crops have no CLS row");
      assertEquals(68, answer.imageTokens().size());

      // ranking: attention-weighted, exactly the paper's formula over the answer's columns and SAE rows
      LatentRanking ranking = answer.rankLatents(RankOptions.defaults());
      assertEquals(6, ranking.perToken().size());
      for (int t = 0; t < 6; t++) {
        List<RankedLatent> top = ranking.forToken(t);
        assertFalse(top.isEmpty());
        for (RankedLatent r : top) {
          double expected = 0;
          for (int k = 0; k < answer.imageTokens().size(); k++) {
            ImageTokenLocation loc = answer.imageTokens().get(k);
            expected += answer.attention().weights().get(t, k)
                * answer.activations().get(loc.crop()).get(loc.saeRow(), r.latentId());
          }
          assertEquals(expected, r.score(), 1e-5 * Math.max(1, Math.abs(expected)), "token " + t + " latent " + r);
        }
      }

      // heatmap and clusters
      TokenLatentHeatmap heatmap = answer.heatmap(HeatmapOptions.defaults().withTopK(8)
          .withFilter(HeatmapOptions.NoisyFilter.NONE, 0));
      assertEquals(6, heatmap.tokens().size());
      assertFalse(heatmap.latentIds().isEmpty());
      LatentClusters clusters = heatmap.cluster(ClusterOptions.defaults().withClusters(2));
      assertEquals(2, clusters.clusters().size());
      List<Integer> clustered = new ArrayList<>();
      for (LatentCluster c : clusters.clusters()) {
        clustered.addAll(c.latentIds());
      }
      assertEquals(heatmap.latentIds().size(), clustered.size());
      assertTrue(clustered.containsAll(heatmap.latentIds()));

      // ablate each cluster, then every latent of the heatmap: the regeneration reuses the first run's stream
      // up to the hook (one of the three SigLIP layers runs again) and the answer moves only through the plan
      boolean moved = false;
      for (int c = 0; c < 2; c++) {
        Answer ablated = clusters.ablate(c).regenerate();
        assertEquals(clusters.get(c).latentIds(), ablated.plan().edits().get(0).latentIds());
        moved |= answer.diff(ablated).changed();
        assertReused(ablated);
      }
      Answer all = answer.ablate(heatmap.latentIds()).regenerate();
      AnswerDiff diff = answer.diff(all);
      assertTrue(moved || diff.changed(), diff.toString());
      assertReused(all);
      Answer again = all.regenerate(answer.plan());
      assertEquals(answer.generated(), again.generated(), "undoing the edit gives the first answer back");
    }
  }

  private static void assertReused(Answer a) {
    PhaseTiming vision = a.timings().stream().filter(p -> p.phase().equals("vision")).findFirst().orElseThrow();
    assertTrue(vision.detail().startsWith("1 layers (layers up to the hook reused)"), vision.detail());
  }
}
