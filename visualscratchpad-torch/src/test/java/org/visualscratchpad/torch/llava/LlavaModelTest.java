package org.visualscratchpad.torch.llava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.attention.AttentionConvention;
import org.visualscratchpad.attention.AttentionTap;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.DenseTestSae;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.checkpoint.TensorFile;
import org.visualscratchpad.torch.trace.DenseTensor;
import org.visualscratchpad.torch.trace.Trace;

/** Hooks, interventions, generation and bad input on the tiny LLaVA-1.5 scratchpad fixture. */
class LlavaModelTest {
  private static LlavaModel model;
  private static org.visualscratchpad.sae.SparseAutoencoder sae;
  private static List<Integer> prompt;
  private static ImageInput image;
  private static Generation baseline;

  @BeforeAll
  static void load() {
    var dir = Fixtures.folder("scratchpad_llava");
    model = LlavaModel.load(dir);
    sae = org.visualscratchpad.sae.format.SaeLoader.load(dir.resolve("sae"));
    try (TensorFile in = TensorFile.open(dir.resolve("inputs.safetensors"))) {
      prompt = Arrays.stream(in.longs("case0.input_ids")).mapToObj(v -> (int) v).toList();
      DenseTensor px = in.tensor("pixel_values");
      image = new ImageInput(px.range(0, 1), 42, 42);
    }
    baseline = model.generate(request());
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static GenerationRequest request() {
    return GenerationRequest.of(prompt, List.of(image), 8);
  }

  @Test
  void the_sae_tap_reads_hidden_states_of_layer_plus_one_for_every_crop() {
    Generation g = model.generate(request().withSae(SaeTap.read(sae)));
    assertEquals(1, g.hookActivations().size());
    FloatMatrix z = g.hookActivations().get(0);
    assertEquals(37, z.rows());
    assertEquals(32, z.cols());
    Trace t = model.forwardTrace(new long[][] {prompt.stream().mapToLong(Integer::longValue).toArray()}, null, null,
        List.of(image), false);
    assertEquals(0f, z.maxAbsDiff(t.get("vision_tower.hidden_states.2").orElseThrow().asMatrix()));
    assertEquals(z, model.residualStream(image, HookPoint.visionResidPost(1)).get(0));
  }

  @Test
  void an_identity_plan_reproduces_the_baseline_bit_for_bit() {
    Generation g = model.generate(request().withSae(SaeTap.read(sae)));
    assertEquals(baseline.newTokens(), g.newTokens());
    assertEquals(baseline.stepLogits(), g.stepLogits());
  }

  @Test
  void ablating_a_latent_that_never_fires_reproduces_the_baseline_bit_for_bit() {
    FloatMatrix z = model.residualStream(image, HookPoint.visionResidPost(1)).get(0);
    var codes = sae.encode(z);
    int silent = -1;
    for (int j = 0; j < sae.dSae() && silent < 0; j++) {
      boolean fires = false;
      for (int r = 0; r < codes.rows(); r++) {
        fires |= codes.get(r, j) != 0f;
      }
      silent = fires ? -1 : j;
    }
    assertTrue(silent >= 0, "every latent fires on this image");
    Generation g = model.generate(request().withSae(new SaeTap(sae, InterventionPlan.of(LatentIntervention.ablate(
        List.of(silent))))));
    assertEquals(baseline.stepLogits(), g.stepLogits());
  }

  @Test
  void dropping_the_error_term_changes_the_stream_and_the_logits() {
    Generation g = model.generate(request().withSae(new SaeTap(sae, InterventionPlan.none().withErrorTerm(ErrorTerm.DROP))));
    assertTrue(g.editedActivations().get(0).maxAbsDiff(g.hookActivations().get(0)) > 1e-3f);
    assertNotEquals(baseline.stepLogits(), g.stepLogits());
  }

  @Test
  void a_failed_intervention_leaves_the_next_call_exact() {
    SaeTap bad = new SaeTap(sae, InterventionPlan.of(LatentIntervention.ablate(List.of(100_000))));
    assertThrows(InvalidInputException.class, () -> model.generate(request().withSae(bad)));
    Generation g = model.generate(request());
    assertEquals(baseline.stepLogits(), g.stepLogits());
  }

  @Test
  void an_sae_hook_layer_beyond_the_tower_is_rejected_and_the_model_stays_usable() {
    DenseTestSae deep = new DenseTestSae(new SaeConfig(SaeArchitecture.STANDARD, 32, 256, HookPoint.visionResidPost(4),
        true, 0, "float32", "test"), new float[32 * 256], new float[256], new float[256 * 32], new float[32]);
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> model.generate(request().withSae(SaeTap.read(deep))));
    assertTrue(e.getMessage().contains("SAE hook layer (4)") && e.getMessage().contains("4 layers"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> model.residualStream(image, HookPoint.visionResidPost(7)));
    assertEquals(baseline.stepLogits(), model.generate(request()).stepLogits());
  }

  @Test
  void an_sae_whose_d_in_differs_from_the_tower_width_is_rejected() {
    DenseTestSae narrow = new DenseTestSae(new SaeConfig(SaeArchitecture.STANDARD, 16, 64, HookPoint.visionResidPost(1),
        true, 0, "float32", "test"), new float[16 * 64], new float[64], new float[64 * 16], new float[16]);
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> model.generate(request().withSae(SaeTap.read(narrow))));
    assertTrue(e.getMessage().contains("SAE d_in (16) does not match hook point vision.blocks.1.hook_resid_post (d_model 32)"),
        e.getMessage());
    assertEquals(baseline.stepLogits(), model.generate(request()).stepLogits());
  }

  @Test
  void a_prompt_longer_than_the_context_is_rejected() {
    List<Integer> longPrompt = new ArrayList<>();
    for (int i = 0; i < model.config().text().maxPositionEmbeddings() + 1; i++) {
      longPrompt.add(5);
    }
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> model.generate(GenerationRequest.of(longPrompt, List.of(), 2)));
    assertTrue(e.getMessage().contains("prompt length (257 tokens)") && e.getMessage().contains("(256)"), e.getMessage());
    assertEquals(baseline.stepLogits(), model.generate(request()).stepLogits());
  }

  @Test
  void image_tokens_that_do_not_match_the_images_are_rejected() {
    List<Integer> fewer = new ArrayList<>(prompt);
    fewer.remove(Integer.valueOf(model.config().imageTokenIndex()));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> model.generate(GenerationRequest.of(fewer, List.of(image), 1)));
    assertTrue(e.getMessage().contains("35 image tokens") && e.getMessage().contains("36 image features"), e.getMessage());
  }

  @Test
  void kv_cached_step_logits_equal_a_full_forward_over_the_sequence() {
    List<Integer> seq = baseline.sequence();
    long[][] ids = {seq.subList(0, seq.size() - 1).stream().mapToLong(Integer::longValue).toArray()};
    FloatMatrix logits = model.forwardTrace(ids, null, null, List.of(image), false).get("logits").orElseThrow().asMatrix();
    int p = prompt.size();
    for (int t = 0; t < 8; t++) {
      for (int v = 0; v < logits.cols(); v++) {
        assertEquals(logits.get(p - 1 + t, v), baseline.stepLogits().get(t, v), 2e-5f, "step " + t + " id " + v);
      }
    }
  }

  @Test
  void a_stop_token_ends_generation_and_is_kept() {
    int stop = baseline.newTokens().get(1);
    Generation g = model.generate(request().withStopTokens(Set.of(stop)));
    assertEquals(baseline.newTokens().subList(0, 2), g.newTokens());
    assertEquals(StopReason.STOP_TOKEN, g.stopReason());
    assertEquals(StopReason.MAX_NEW_TOKENS, baseline.stopReason());
  }

  @Test
  void sampling_is_reproducible_from_its_seed_and_a_tiny_top_p_is_greedy() {
    Generation a = model.generate(request().withSampling(Sampling.topP(1.5f, 0.95f, 42L)));
    Generation b = model.generate(request().withSampling(Sampling.topP(1.5f, 0.95f, 42L)));
    assertEquals(a.newTokens(), b.newTokens());
    assertEquals(42L, a.seed());
    boolean differs = false;
    for (long seed = 1; seed <= 5 && !differs; seed++) {
      differs = !model.generate(request().withSampling(Sampling.topP(1.5f, 0.95f, seed))).newTokens().equals(a.newTokens());
    }
    assertTrue(differs, "five other seeds all gave the same tokens");
    assertEquals(baseline.newTokens(), model.generate(request().withSampling(Sampling.topP(1f, 1e-6f, 7L))).newTokens());
  }

  @Test
  void attention_of_chosen_layers_and_heads_is_a_different_average_and_bad_indices_are_rejected() {
    Generation all = model.generate(request().withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP)));
    Generation one = model.generate(request().withAttention(
        new AttentionTap(AttentionConvention.PRODUCING_STEP, List.of(0), List.of(1))));
    assertEquals(8, one.attention().weights().rows());
    assertEquals(36, one.attention().weights().cols());
    assertTrue(one.attention().weights().maxAbsDiff(all.attention().weights()) > 1e-4f);
    for (int t = 0; t < 8; t++) {
      float mass = all.attention().imageMass(t);
      assertTrue(mass > 0f && mass < 1f, "image mass " + mass);
    }
    assertThrows(InvalidInputException.class, () -> model.generate(request().withAttention(
        new AttentionTap(AttentionConvention.PRODUCING_STEP, List.of(3), List.of()))));
    assertThrows(InvalidInputException.class, () -> model.generate(request().withAttention(
        new AttentionTap(AttentionConvention.PRODUCING_STEP, List.of(), List.of(4)))));
  }

  @Test
  void leaving_out_the_prompt_s_attention_changes_nothing_else() {
    GenerationRequest req = request().withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP));
    Generation with = model.generate(req);
    Generation without = model.generate(req.withPromptAttention(false));
    assertNotNull(with.promptAttention());
    assertNull(without.promptAttention());
    assertEquals(with.newTokens(), without.newTokens());
    assertEquals(0f, with.attention().weights().maxAbsDiff(without.attention().weights()));
  }

  @Test
  void producing_step_row_t_plus_one_equals_own_position_row_t() {
    Generation prod = model.generate(request().withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP)));
    Generation own = model.generate(request().withAttention(AttentionTap.all(AttentionConvention.OWN_POSITION)));
    for (int t = 0; t < 7; t++) {
      for (int k = 0; k < 36; k++) {
        assertEquals(own.attention().weights().get(t, k), prod.attention().weights().get(t + 1, k), 1e-6f);
      }
    }
  }

  @Test
  void regenerating_from_a_prompt_cache_gives_the_tokens_logits_and_attention_of_a_fresh_run() {
    GenerationRequest read = request().withSae(SaeTap.read(sae))
        .withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP));
    PromptCache cache = model.cacheFor(read);
    assertEquals(5, cache.prefixLength());
    assertEquals(1, cache.streams().size());
    GenerationRequest ablate = read.withSae(new SaeTap(sae, InterventionPlan.of(
        LatentIntervention.ablate(List.of(196, 96, 173)))));
    Generation fresh = model.generate(ablate);
    Generation reused = model.generate(ablate, cache);
    assertEquals(fresh.newTokens(), reused.newTokens());
    assertNotEquals(baseline.newTokens(), fresh.newTokens());
    assertTrue(fresh.stepLogits().maxAbsDiff(reused.stepLogits()) < 1e-5f);
    assertTrue(fresh.attention().weights().maxAbsDiff(reused.attention().weights()) < 1e-6f);
    assertTrue(fresh.promptAttention().weights().maxAbsDiff(reused.promptAttention().weights()) < 1e-6f);
    assertEquals(fresh.editedActivations(), reused.editedActivations());
    Generation identity = model.generate(read, cache);
    assertEquals(baseline.newTokens(), identity.newTokens());
    assertTrue(baseline.stepLogits().maxAbsDiff(identity.stepLogits()) < 1e-5f);
  }

  @Test
  void a_prompt_cache_for_another_prompt_is_rejected() {
    PromptCache cache = model.cacheFor(request().withSae(SaeTap.read(sae)));
    List<Integer> other = new ArrayList<>(prompt);
    other.set(1, other.get(1) + 1);
    assertThrows(InvalidInputException.class,
        () -> model.generate(GenerationRequest.of(other, List.of(image), 8).withSae(SaeTap.read(sae)), cache));
  }

  @Test
  void a_regeneration_reusing_the_first_run_does_not_run_the_reused_layers_again() {
    GenerationRequest read = request().withSae(SaeTap.read(sae))
        .withAttention(AttentionTap.all(AttentionConvention.PRODUCING_STEP));
    long[] before = model.workDone();
    LlavaModel.Reusing first = model.generateReusing(read, null);
    long[] afterFirst = model.workDone();
    int featureIndex = model.config().featureHiddenIndex();
    int hookIndex = sae.config().hookPoint().hiddenStatesIndex();
    int steps = first.generation().newTokens().size();
    assertEquals(featureIndex, afterFirst[0] - before[0], "vision layers of a fresh run");
    assertEquals(prompt.size() + steps - 1, afterFirst[1] - before[1], "language-model positions of a fresh run");
    PromptCache cache = first.cache();
    GenerationRequest ablate = read.withSae(new SaeTap(sae, InterventionPlan.of(
        LatentIntervention.ablate(List.of(196, 96, 173)))));
    LlavaModel.Reusing again = model.generateReusing(ablate, cache);
    long[] afterAgain = model.workDone();
    int againSteps = again.generation().newTokens().size();
    assertEquals(featureIndex - hookIndex, afterAgain[0] - afterFirst[0], "only the layers after the hook run again");
    assertEquals(prompt.size() - cache.prefixLength() + againSteps - 1, afterAgain[1] - afterFirst[1],
        "the text before the first image token is not run again");
    Generation fresh = model.generate(ablate);
    assertEquals(fresh.newTokens(), again.generation().newTokens());
    assertTrue(fresh.attention().weights().maxAbsDiff(again.generation().attention().weights()) < 1e-6f);
  }

  @Test
  void repeated_generations_keep_the_live_heap_flat() {
    GenerationRequest req = request().withSae(new SaeTap(sae, InterventionPlan.of(
        LatentIntervention.ablate(List.of(196, 96, 173))))).withAttention(AttentionTap.all(AttentionConvention.OWN_POSITION));
    model.generate(req);
    long before = liveHeap();
    for (int i = 0; i < 30; i++) {
      model.generate(req);
    }
    long grown = liveHeap() - before;
    assertTrue(grown < (8L << 20), "live heap grew by " + grown + " bytes over 30 generations");
  }

  private static long liveHeap() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Runtime r = Runtime.getRuntime();
      used = Math.min(used, r.totalMemory() - r.freeMemory());
    }
    return used;
  }
}
