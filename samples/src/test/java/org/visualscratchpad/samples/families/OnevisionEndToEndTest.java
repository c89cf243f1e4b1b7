package org.visualscratchpad.samples.families;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.samples.Fixtures;
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
    Path model = writeModel(dir.resolve("model"));
    Path sae = writeSae(dir.resolve("sae"), 64);
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

  /** The fixture's model files, a word-level tokenizer and a Qwen-style chat template (im_start / im_end). */
  static Path writeModel(Path model) throws IOException {
    Path fixture = Fixtures.hfReference("llava_onevision");
    Files.createDirectories(model);
    for (String f : List.of("config.json", "model.safetensors", "generation_config.json", "preprocessor_config.json")) {
      Files.copy(fixture.resolve(f), model.resolve(f));
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    String[] special = new String[200];
    special[0] = "<unk>";
    special[1] = "<s>";
    special[2] = "</s>";
    special[3] = "<|im_start|>";
    special[4] = "<|im_end|>";
    special[195] = "<image>";
    special[196] = "<video>";
    special[199] = "<pad>";
    for (int id = 0; id < 200; id++) {
      if (special[id] != null) {
        added.addObject().put("id", id).put("content", special[id]).put("single_word", false).put("lstrip", false)
            .put("rstrip", false).put("normalized", false).put("special", true);
      }
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "Whitespace");
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", false);
    ObjectNode m = root.putObject("model");
    m.put("type", "WordLevel").put("unk_token", "<unk>");
    ObjectNode vocab = m.putObject("vocab");
    for (int id = 0; id < 200; id++) {
      vocab.put(special[id] != null ? special[id] : id == 5 ? "user" : id == 6 ? "assistant" : "w" + id, id);
    }
    Files.writeString(model.resolve("tokenizer.json"), json.writeValueAsString(root));
    ObjectNode tpl = json.createObjectNode();
    tpl.put("chat_template", "{% for message in messages %}{{ '<|im_start|>' + message['role'] + ' ' }}"
        + "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\\n' }}{% endfor %}"
        + "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] }}{% endfor %}"
        + "{{ '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}");
    Files.writeString(model.resolve("chat_template.json"), json.writeValueAsString(tpl));
    return model;
  }

  /** A seeded SAELens "standard" SAE of {@code dSae} latents after SigLIP layer 1 (width 32). */
  static Path writeSae(Path sae, int dSae) throws IOException {
    int dIn = 32;
    Files.createDirectories(sae);
    SplittableRandom r = new SplittableRandom(11);
    float[] wEnc = new float[dIn * dSae];
    float[] wDec = new float[dSae * dIn];
    float[] bEnc = new float[dSae];
    for (int i = 0; i < wEnc.length; i++) {
      wEnc[i] = (float) (r.nextGaussian() / Math.sqrt(dIn));
    }
    for (int j = 0; j < dSae; j++) {
      bEnc[j] = -0.4f;
      for (int i = 0; i < dIn; i++) {
        wDec[j * dIn + i] = 0.5f * wEnc[i * dSae + j];
      }
    }
    new SafetensorsWriter().putFloats("W_enc", wEnc, dIn, dSae).putFloats("b_enc", bEnc, dSae)
        .putFloats("W_dec", wDec, dSae, dIn).putFloats("b_dec", new float[dIn], dIn)
        .write(sae.resolve("sae_weights.safetensors"));
    Files.writeString(sae.resolve("cfg.json"), "{\"architecture\":\"standard\",\"d_in\":" + dIn + ",\"d_sae\":" + dSae
        + ",\"hook_name\":\"vision.blocks.1.hook_resid_post\",\"apply_b_dec_to_input\":true,"
        + "\"dtype\":\"float32\",\"normalize_activations\":\"none\"}");
    return sae;
  }
}
