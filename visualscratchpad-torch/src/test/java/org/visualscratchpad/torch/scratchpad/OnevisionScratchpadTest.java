package org.visualscratchpad.torch.scratchpad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.session.Session;
import org.visualscratchpad.scratchpad.Answer;
import org.visualscratchpad.scratchpad.AskOptions;
import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.input.image.ImageDecoder;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.llava.ImageInput;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * The Scratchpad backend on LLaVA-OneVision (the llava_onevision fixture's weights, a word-level tokenizer over its
 * 200 ids, a Qwen-style chat template, a small SAE after SigLIP layer 1): activations without a CLS row, attention
 * spread from the downscaled grid's mixed tokens onto its patches, interventions addressed as the API says for a
 * tower without CLS, reuse on regeneration, sessions.
 */
class OnevisionScratchpadTest {
  static final int D_SAE = 64;

  @TempDir static Path dir;
  static Scratchpad pad;
  static BufferedImage image;

  @BeforeAll
  static void load() throws IOException {
    Path model = org.visualscratchpad.torch.FamilyFixtureFiles.onevisionModel(dir.resolve("model"));
    Path sae = writeSae(dir.resolve("sae"), 1, 32, D_SAE, 11);
    pad = Scratchpad.load(LoadSpec.of(model, sae));
    image = gradient(96, 100);   // 100 x 96: a 4 x 4 tile grid, downscaled 8 x 8 -> 6 x 6
  }

  @AfterAll
  static void close() {
    if (pad != null) {
      pad.close();
    }
  }

  static BufferedImage gradient(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, ((x * 2) << 16) | ((y * 2) << 8) | ((x * y) % 256));
      }
    }
    return img;
  }

  /** A seeded SAELens "standard" SAE of {@code dSae} latents at {@code vision.blocks.layer.hook_resid_post}. */
  static Path writeSae(Path sae, int layer, int dIn, int dSae, long seed) throws IOException {
    Files.createDirectories(sae);
    SplittableRandom r = new SplittableRandom(seed);
    float[] wEnc = new float[dIn * dSae];
    float[] wDec = new float[dSae * dIn];
    float[] bEnc = new float[dSae];
    for (int i = 0; i < wEnc.length; i++) {
      wEnc[i] = (float) (r.nextGaussian() / Math.sqrt(dIn));
    }
    for (int j = 0; j < dSae; j++) {
      bEnc[j] = j == dSae - 1 ? -1e3f : -0.4f;   // the last latent never fires
      for (int i = 0; i < dIn; i++) {
        wDec[j * dIn + i] = 0.5f * wEnc[i * dSae + j];
      }
    }
    new SafetensorsWriter().putFloats("W_enc", wEnc, dIn, dSae).putFloats("b_enc", bEnc, dSae)
        .putFloats("W_dec", wDec, dSae, dIn).putFloats("b_dec", new float[dIn], dIn)
        .write(sae.resolve("sae_weights.safetensors"));
    Files.writeString(sae.resolve("cfg.json"), "{\"architecture\":\"standard\",\"d_in\":" + dIn + ",\"d_sae\":" + dSae
        + ",\"hook_name\":\"vision.blocks." + layer + ".hook_resid_post\",\"apply_b_dec_to_input\":true,"
        + "\"dtype\":\"float32\",\"normalize_activations\":\"none\"}");
    return sae;
  }

  @Test
  void activations_have_no_cls_row_and_are_the_saes_codes_of_the_siglip_stream_at_the_hook() {
    Answer a = pad.ask(image, "w10 w11 w12", AskOptions.defaults().withMaxNewTokens(4));
    assertEquals(4, a.generated().size());
    assertEquals(17, a.activations().size(), "the base view and 16 tiles");
    List<FloatMatrix> z = ((TorchScratchpad) pad).model().residualStream(ImageInput.from(
        ImagePreprocessor.forCheckpoint(dir.resolve("model")).preprocess(ImageDecoder.toRgb(image))),
        HookPoint.visionResidPost(1));
    assertEquals(17, z.size());
    for (int c = 0; c < 17; c++) {
      assertEquals(4, z.get(c).rows(), "2 x 2 patches, no CLS");
      assertEquals(pad.sae().encode(z.get(c)), a.activations().get(c), "crop " + c);
    }
    assertFalse(((TorchScratchpad) pad).model().hasClsToken());
    // 4 base patches and the 8 x 8 grid's 64 patches under the 36 mixed tokens of the downscaled grid
    assertEquals(68, a.imageTokens().size());
    assertEquals(68, a.attention().weights().cols());
    for (ImageTokenLocation l : a.imageTokens()) {
      assertEquals(l.patchIndex(), l.saeRow());
    }
    assertEquals(a.imageTokens(), pad.imageTokenLayout(96, 100).orElseThrow());
    // the prompt holds the 46 image tokens of transformers' count, newlines included
    assertEquals(46, a.promptTokens().stream().filter(t -> t.id() == 195).count());
    for (int t = 0; t < 4; t++) {
      float mass = a.attention().imageMass(t);
      assertTrue(mass > 0 && mass < 1, "image mass " + mass);
    }
  }

  @Test
  void spreading_keeps_the_attention_mass_of_the_image_tokens() {
    Answer a = pad.ask(image, "w20", AskOptions.defaults().withMaxNewTokens(3));
    var model = ((TorchScratchpad) pad).model();
    List<Integer> ids = a.promptTokens().stream().map(org.visualscratchpad.scratchpad.Token::id).toList();
    var g = model.generate(org.visualscratchpad.torch.llava.GenerationRequest.of(ids, List.of(ImageInput.from(
        ImagePreprocessor.forCheckpoint(dir.resolve("model")).preprocess(ImageDecoder.toRgb(image)))), 3)
        .withAttention(a.options().attention()).withStopTokens(java.util.Set.of(2)));
    assertEquals(40, g.attention().weights().cols(), "4 base patches + 36 mixed tokens (newlines left out)");
    for (int t = 0; t < 3; t++) {
      assertEquals(g.attention().imageMass(t), a.attention().imageMass(t), 1e-6);
    }
  }

  @Test
  void an_empty_plan_and_an_edit_that_changes_nothing_reproduce_the_answer_exactly() {
    AskOptions opts = AskOptions.defaults().withMaxNewTokens(6);
    Answer base = pad.ask(image, "w30 w31", opts);
    Answer again = base.regenerate(InterventionPlan.none());
    assertEquals(base.generated(), again.generated());
    assertEquals(base.attention().weights(), again.attention().weights());
    // a latent that fires nowhere (the SAE's last, b_enc -1000): with the error term kept the stream is exactly
    // the same, through the empty CLS slot the tap puts in front of SigLIP's rows
    int silent = D_SAE - 1;
    for (SparseActivations h : base.activations()) {
      for (int r = 0; r < h.rows(); r++) {
        assertEquals(0f, h.get(r, silent));
      }
    }
    Answer noop = base.ablate(silent).regenerate();
    assertEquals(base.generated(), noop.generated());
    assertEquals(base.activations(), noop.activations());
    assertEquals(base.attention().weights(), noop.attention().weights());
  }

  @Test
  void patches_only_and_chosen_patches_reach_patch_0_of_a_tower_without_cls() {
    AskOptions opts = AskOptions.defaults().withMaxNewTokens(2);
    Answer base = pad.ask(image, "w40", opts);
    int latent = 7;
    Answer all = base.with(LatentIntervention.setValue(List.of(latent), 6f, TokenScope.patchesOnly())).regenerate();
    for (int c = 0; c < 17; c++) {
      // SigLIP's row 0 is patch 0, an edited patch: its codes move
      assertNotEquals(base.activations().get(c).get(0, latent), all.activations().get(c).get(0, latent), "crop " + c);
    }
    Answer one = base.with(LatentIntervention.setValue(List.of(latent), 6f,
        TokenScope.patches(List.of(new TokenScope.PatchRef(1, 0))))).regenerate();
    assertNotEquals(base.activations().get(1).get(0, latent), one.activations().get(1).get(0, latent));
    assertEquals(base.activations().get(1).rowRange(1, 4), one.activations().get(1).rowRange(1, 4),
        "the other patches of the tile are untouched");
    assertEquals(base.activations().get(2), one.activations().get(2), "other tiles are untouched");
    assertEquals(base.activations().get(0), one.activations().get(0), "the base view is untouched");
  }

  @Test
  void regeneration_reuses_the_vision_layers_before_the_hook_and_the_text_prefix() {
    var model = ((TorchScratchpad) pad).model();
    AskOptions opts = AskOptions.defaults().withMaxNewTokens(3);
    Answer base = pad.ask(image, "w50 w51", opts);
    long[] before = model.workDone();
    List<Integer> active = new ArrayList<>();
    for (SparseActivations h : base.activations()) {
      for (int r = 0; r < h.rows(); r++) {
        for (int i = h.rowStart(r); i < h.rowEnd(r); i++) {
          if (!active.contains(h.latentAt(i))) {
            active.add(h.latentAt(i));
          }
        }
      }
    }
    Answer ablated = base.ablate(active).regenerate();
    long[] after = model.workDone();
    // the hook reads hidden_states[2]; the projector hidden_states[3]: one layer runs again, not three
    assertEquals(1, after[0] - before[0], "vision layers run by the regeneration");
    int prefix = ablated.promptTokens().stream().map(org.visualscratchpad.scratchpad.Token::id).toList().indexOf(195);
    assertEquals(ablated.promptTokens().size() - prefix + 2, after[1] - before[1],
        "language-model positions: the prompt from its first image token, then 2 decode steps");
    assertTrue(base.diff(ablated).changed(), base.diff(ablated).toString());
  }

  @Test
  void a_saved_session_keeps_the_sae_rows_of_a_tower_without_cls(@TempDir Path sessions) {
    Answer a = pad.ask(image, "w60", AskOptions.defaults().withMaxNewTokens(2));
    Session.of(a).save(sessions.resolve("s"));
    Answer back = Session.load(sessions.resolve("s")).answer();
    assertEquals(a.imageTokens(), back.imageTokens());
    assertEquals(a.activations(), back.activations());
  }
}
