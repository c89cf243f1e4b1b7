package org.visualscratchpad.sae.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.sae.Fixtures;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.kernel.KernelChoice;
import org.visualscratchpad.sae.kernel.PureJavaSae;
import org.visualscratchpad.tensor.FloatMatrix;

/** Loading SAELens folders: every cfg variant we accept, and a clear error for every bad input. */
class SaeLoaderTest {
  @TempDir Path tmp;

  // ------------------------------------------------------------------ helpers

  private static float[] random(SplittableRandom rnd, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
    }
    return a;
  }

  /** Writes an SAELens folder with random weights of the given shapes. */
  private Path saeFolder(String name, String cfgJson, int dIn, int dSae, boolean threshold) {
    Path dir = tmp.resolve(name);
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("cfg.json"), cfgJson);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    SplittableRandom rnd = new SplittableRandom(name.hashCode());
    SafetensorsWriter w = new SafetensorsWriter()
        .putFloats("W_enc", random(rnd, dIn * dSae, 0.5), dIn, dSae)
        .putFloats("b_enc", random(rnd, dSae, 0.3), dSae)
        .putFloats("W_dec", random(rnd, dIn * dSae, 0.5), dSae, dIn)
        .putFloats("b_dec", random(rnd, dIn, 0.1), dIn);
    if (threshold) {
      w.putFloats("threshold", random(rnd, dSae, 0.2), dSae);
    }
    w.write(dir.resolve("sae_weights.safetensors"));
    return dir;
  }

  private static String v6(String architecture, int dIn, int dSae, String extra) {
    return "{\"architecture\": \"" + architecture + "\", \"d_in\": " + dIn + ", \"d_sae\": " + dSae
        + ", \"dtype\": \"float32\", \"apply_b_dec_to_input\": true, \"normalize_activations\": \"none\"" + extra
        + ", \"metadata\": {\"model_name\": \"tiny\", \"hook_name\": \"blocks.3.hook_resid_post\"}}";
  }

  private Path copyOfFixtureSae() throws IOException {
    Path src = Fixtures.scratchpadLlava().resolve("sae");
    Path dst = tmp.resolve("copy");
    Files.createDirectories(dst);
    for (String f : List.of("cfg.json", "sae_weights.safetensors", "sparsity.safetensors")) {
      Files.copy(src.resolve(f), dst.resolve(f));
      dst.resolve(f).toFile().setWritable(true);
    }
    return dst;
  }

  private static FloatMatrix fixtureInput(int seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    return FloatMatrix.adopt(37, 32, random(rnd, 37 * 32, 1.0));
  }

  // ------------------------------------------------------------------ accepted layouts

  @Test
  void loads_the_fixture_sae_with_its_v6_metadata() {
    PureJavaSae sae = SaeLoader.load(Fixtures.scratchpadLlava().resolve("sae"));
    assertEquals(SaeArchitecture.STANDARD, sae.config().architecture());
    assertEquals(32, sae.dIn());
    assertEquals(256, sae.dSae());
    assertEquals(HookPoint.visionResidPost(1), sae.config().hookPoint());
    assertTrue(sae.config().applyBDecToInput());
    assertTrue(sae.config().modelName().startsWith("tiny LLaVA-1.5"), sae.config().modelName());
    assertEquals(SaeFormat.SAELENS, SaeLoader.detect(Fixtures.scratchpadLlava().resolve("sae")));
  }

  @Test
  void inspect_reads_config_dtype_and_sparsity_statistics_of_the_fixture() {
    SaeCheckpointInfo info = SaeLoader.inspect(Fixtures.scratchpadLlava().resolve("sae"));
    assertEquals("F32", info.storedDtype());
    SparsityStatistics s = info.sparsity().orElseThrow();
    assertEquals(256, s.latents());
    assertEquals(0, s.dead(), "fit_info.json says 0 dead latents");
    // mean L0 24.8 of 256 latents = 9.7 % on average: the mean frequency lies around 10^-1
    assertTrue(s.medianLog10() < -0.5 && s.medianLog10() > -2, s.toString());
  }

  @Test
  void v5_flat_cfg_with_topk_in_activation_fn_kwargs_loads_as_topk() {
    String cfg = "{\"architecture\": \"standard\", \"d_in\": 8, \"d_sae\": 24, \"hook_name\": \"blocks.2.hook_resid_post\","
        + " \"hook_layer\": 2, \"model_name\": \"m\", \"activation_fn_str\": \"topk\", \"activation_fn_kwargs\": {\"k\": 3},"
        + " \"apply_b_dec_to_input\": false, \"normalize_activations\": null, \"dtype\": \"torch.float32\"}";
    PureJavaSae sae = SaeLoader.load(saeFolder("v5topk", cfg, 8, 24, false));
    assertEquals(SaeArchitecture.TOPK, sae.config().architecture());
    assertEquals(3, sae.config().k());
    assertEquals(false, sae.config().applyBDecToInput());
    assertEquals(HookPoint.visionResidPost(2), sae.config().hookPoint());
    SparseActivations h = sae.encode(FloatMatrix.adopt(5, 8, random(new SplittableRandom(3), 40, 2)));
    for (int row = 0; row < 5; row++) {
      assertTrue(h.rowNnz(row) <= 3, "topk keeps at most k latents per row");
    }
  }

  @Test
  void v6_topk_and_jumprelu_load_with_k_and_threshold() {
    PureJavaSae topk = SaeLoader.load(saeFolder("topk", v6("topk", 8, 40, ", \"k\": 5"), 8, 40, false));
    assertEquals(5, topk.config().k());
    PureJavaSae jump = SaeLoader.load(saeFolder("jump", v6("jumprelu", 8, 40, ""), 8, 40, true));
    assertEquals(SaeArchitecture.JUMPRELU, jump.config().architecture());
  }

  @Test
  void bf16_weights_are_widened_and_match_their_float32_values() throws IOException {
    Path dir = tmp.resolve("bf16");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("cfg.json"), v6("standard", 4, 8, "").replace("float32", "bfloat16"));
    float[] wEnc = {1, -2, 0.5f, 0.25f, 3, 1, -1, 2, 0.5f, 0.5f, 1, 1, -0.5f, 0, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2,
        2, 2, 2, 2, 2};
    float[] wDec = wEnc.clone();
    new SafetensorsWriter().putBF16("W_enc", wEnc, 4, 8).putBF16("b_enc", new float[8], 8)
        .putBF16("W_dec", wDec, 8, 4).putBF16("b_dec", new float[4], 4).write(dir.resolve("sae_weights.safetensors"));
    PureJavaSae sae = SaeLoader.load(dir);
    assertEquals("BF16", SaeLoader.inspect(dir).storedDtype());
    assertEquals(-2f, sae.decoderDirection(0)[1]); // exactly representable in bf16
    FloatMatrix pre = sae.preActivations(FloatMatrix.of(1, 4, new float[] {1, 0, 0, 0}));
    assertEquals(1f, pre.get(0, 0));
    assertEquals(-2f, pre.get(0, 1)); // row 0 of W_enc, as stored
    SparseActivations h = sae.encode(FloatMatrix.of(1, 4, new float[] {1, 0, 0, 0}));
    assertEquals(0f, h.get(0, 1)); // relu(-2)
    assertEquals(0.5f, h.get(0, 2));
  }

  // ------------------------------------------------------------------ bad input, each with its message

  @Test
  void cfg_missing_d_sae_names_the_file_and_the_field() {
    Path dir = saeFolder("nodsae", v6("standard", 8, 16, "").replace("\"d_sae\": 16, ", ""), 8, 16, false);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("cfg.json") + ": field d_sae (number of latents) is missing."),
        e.getMessage());
  }

  @Test
  void cfg_missing_the_hook_name_says_where_to_add_it() {
    Path dir = saeFolder("nohook", v6("standard", 8, 16, "").replace("\"hook_name\": \"blocks.3.hook_resid_post\"",
        "\"x\": 1"), 8, 16, false);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(dir));
    assertTrue(e.getMessage().contains("field hook_name (the activation site the SAE reads) is missing. Add it"),
        e.getMessage());
  }

  @Test
  void cfg_naming_an_unknown_architecture_lists_the_supported_ones() {
    Path dir = saeFolder("matryoshka", v6("matryoshka_batchtopk", 8, 16, ""), 8, 16, false);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(dir));
    assertTrue(e.getMessage().contains(
        "field architecture (matryoshka_batchtopk) must be one of standard, topk, jumprelu, gated."), e.getMessage());
  }

  @Test
  void normalized_activations_are_refused_with_the_way_out() {
    Path dir = saeFolder("norm", v6("standard", 8, 16, "").replace("\"normalize_activations\": \"none\"",
        "\"normalize_activations\": \"expected_average_only_in\""), 8, 16, false);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(dir));
    assertTrue(e.getMessage().contains("field normalize_activations (expected_average_only_in) must be none"),
        e.getMessage());
  }

  @Test
  void topk_without_k_is_refused() {
    Path dir = saeFolder("nok", v6("topk", 8, 16, ""), 8, 16, false);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(dir));
    assertTrue(e.getMessage().contains("field k (null) must be an integer in [1, d_sae = 16]"), e.getMessage());
  }

  @Test
  void jumprelu_without_threshold_tensor_is_refused() {
    Path dir = saeFolder("nothr", v6("jumprelu", 8, 16, ""), 8, 16, false);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(dir));
    assertTrue(e.getMessage().contains("has no tensor threshold [16], which a jumprelu SAE needs"), e.getMessage());
  }

  @Test
  void sae_d_in_different_from_the_hook_width_is_refused_before_loading_weights() {
    Path dir = Fixtures.scratchpadLlava().resolve("sae");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> SaeLoader.load(dir, 1024));
    assertEquals("SAE d_in (32) does not match hook point vision.blocks.1.hook_resid_post (d_model 1024). "
        + "Was this SAE trained on another model?", e.getMessage());
  }

  @Test
  void weights_shape_disagreeing_with_cfg_names_tensor_and_both_shapes() {
    Path dir = saeFolder("shape", v6("standard", 8, 16, ""), 8, 15, false);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("sae_weights.safetensors") + ": tensor W_enc has shape [8, 15]; "
        + "the SAE config (d_in, d_sae) says it must be [8, 16]."), e.getMessage());
  }

  @Test
  void truncated_weights_file_is_reported_with_its_path() throws IOException {
    Path dir = copyOfFixtureSae();
    Path weights = dir.resolve("sae_weights.safetensors");
    try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
      f.setLength(f.length() - 1000);
    }
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(dir));
    assertTrue(e.getMessage().startsWith(weights.toString()), e.getMessage());
  }

  @Test
  void missing_weights_file_is_reported() throws IOException {
    Path dir = copyOfFixtureSae();
    Files.delete(dir.resolve("sae_weights.safetensors"));
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(dir));
    assertTrue(e.getMessage().contains("sae_weights.safetensors: is missing."), e.getMessage());
  }

  @Test
  void cfg_that_is_not_json_is_reported() throws IOException {
    Path dir = copyOfFixtureSae();
    Files.writeString(dir.resolve("cfg.json"), "{\"d_in\": 32,", StandardCharsets.UTF_8);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(dir));
    assertTrue(e.getMessage().contains("cfg.json: is not valid JSON"), e.getMessage());
  }

  @Test
  void path_that_does_not_exist_is_reported() {
    Path p = tmp.resolve("nowhere");
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(p));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void latent_id_out_of_range_is_refused_and_the_sae_stays_usable() {
    for (KernelChoice k : kernels()) {
      PureJavaSae sae = SaeLoader.load(Fixtures.scratchpadLlava().resolve("sae"),
          SaeLoadOptions.defaults().withKernel(k));
      FloatMatrix z = fixtureInput(1);
      SparseActivations before = sae.encode(z);
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> sae.intervene(z, 0, InterventionPlan.of(LatentIntervention.ablate(List.of(3, 256)))));
      assertEquals("latent id (256) in 'ablate [3, 256] on all' must be less than d_sae (256); this SAE's latents "
          + "are 0..255. Was the id taken from another SAE?", e.getMessage());
      assertThrows(InvalidInputException.class, () -> sae.decoderDirection(300));
      assertEquals(before, sae.encode(z), k + ": the SAE works as before after the refused call");
    }
  }

  @Test
  void nan_and_infinite_activations_are_refused_naming_the_row_and_the_sae_stays_usable() {
    for (KernelChoice k : kernels()) {
      PureJavaSae sae = SaeLoader.load(Fixtures.scratchpadLlava().resolve("sae"),
          SaeLoadOptions.defaults().withKernel(k));
      FloatMatrix good = fixtureInput(2);
      SparseActivations before = sae.encode(good);
      float[] bad = good.toArray();
      bad[5 * 32 + 3] = Float.NaN;
      InvalidInputException nan = assertThrows(InvalidInputException.class,
          () -> sae.encode(FloatMatrix.adopt(37, 32, bad)));
      assertTrue(nan.getMessage().startsWith("SAE input row 5, column 3 (NaN) must be finite."), nan.getMessage());
      float[] inf = good.toArray();
      inf[36 * 32 + 31] = Float.NEGATIVE_INFINITY;
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> sae.intervene(FloatMatrix.adopt(37, 32, inf), 0, InterventionPlan.none()));
      assertTrue(e.getMessage().startsWith("SAE input row 36, column 31 (-Infinity) must be finite."), e.getMessage());
      assertEquals(before, sae.encode(good), k + ": the SAE works as before after the refused calls");
    }
  }

  @Test
  void input_of_the_wrong_width_is_refused() {
    PureJavaSae sae = SaeLoader.load(Fixtures.scratchpadLlava().resolve("sae"));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> sae.encode(FloatMatrix.zeros(3, 31)));
    assertTrue(e.getMessage().startsWith("SAE input width (31) must equal the SAE's d_in (32)"), e.getMessage());
  }

  private static List<KernelChoice> kernels() {
    return KernelChoice.vectorAvailable() ? List.of(KernelChoice.SCALAR, KernelChoice.VECTOR)
        : List.of(KernelChoice.SCALAR);
  }
}
