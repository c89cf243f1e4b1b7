package org.visualscratchpad.sae.architecture;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.format.SaeLoadOptions;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.sae.kernel.KernelChoice;
import org.visualscratchpad.sae.kernel.PureJavaSae;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * SAELens' gated SAE, loaded from a folder in SAELens' layout (cfg.json with architecture "gated",
 * sae_weights.safetensors with W_enc, W_dec, b_dec, b_gate, r_mag, b_mag) and checked against a
 * small example computed by hand.
 */
class GatedSaeTest {
  @TempDir Path tmp;

  // d_in 2, d_sae 3, b_dec subtracted from the input
  static final float[] W_ENC = {1f, -0.5f, 0.25f, 0.5f, -0.5f, 0.25f}; // [d_in, d_sae]
  static final float[] W_DEC = {1f, 0f, 0f, 1f, 1f, 1f}; // [d_sae, d_in]
  static final float[] B_DEC = {1f, -1f};
  static final float[] B_GATE = {-1f, 1f, 0.5f};
  static final float[] R_MAG = {(float) Math.log(2), 0f, 0f};
  static final float[] B_MAG = {0.5f, 5f, -2f};

  /**
   * Row 0: z = (3, 1), z - b_dec = (2, 2), m = (2 + 1, -1 - 1, 0.5 + 0.5) = (3, -2, 1).
   *   gate = m + b_gate = (2, -1, 1.5): latent 1's gate is closed.
   *   pre = exp(r_mag) * m + b_mag = (2 * 3 + 0.5, -2 + 5, 1 - 2) = (6.5, 3, -1): latent 2's magnitude is negative.
   *   h = (6.5, 0, 0): only latent 0 has an open gate and a positive magnitude.
   * Row 1: z = b_dec, so m = 0: gate = b_gate = (-1, 1, 0.5), pre = b_mag = (0.5, 5, -2), h = (0, 5, 0).
   */
  static final FloatMatrix Z = FloatMatrix.of(2, 2, new float[] {3f, 1f, 1f, -1f});

  private Path folder(String name, boolean withRMag) throws IOException {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("cfg.json"), "{\"architecture\": \"gated\", \"d_in\": 2, \"d_sae\": 3,"
        + " \"dtype\": \"float32\", \"apply_b_dec_to_input\": true, \"normalize_activations\": \"none\","
        + " \"metadata\": {\"model_name\": \"tiny\", \"hook_name\": \"blocks.1.hook_resid_post\"}}");
    SafetensorsWriter w = new SafetensorsWriter()
        .putFloats("W_enc", W_ENC, 2, 3)
        .putFloats("W_dec", W_DEC, 3, 2)
        .putFloats("b_dec", B_DEC, 2)
        .putFloats("b_gate", B_GATE, 3)
        .putFloats("b_mag", B_MAG, 3);
    if (withRMag) {
      w.putFloats("r_mag", R_MAG, 3);
    }
    w.write(dir.resolve("sae_weights.safetensors"));
    return dir;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = KernelChoice.class, names = {"SCALAR", "AUTO"})
  void a_saelens_gated_folder_encodes_as_computed_by_hand(KernelChoice kernel) throws IOException {
    PureJavaSae sae = SaeLoader.load(folder("gated", true), SaeLoadOptions.defaults().withKernel(kernel));
    assertEquals("gated", sae.config().architecture().cfgName());
    assertEquals(HookPoint.visionResidPost(1), sae.config().hookPoint());
    SparseActivations h = sae.encode(Z);
    assertEquals(6.5f, h.get(0, 0), 1e-5f);
    assertEquals(0f, h.get(0, 1), "latent 1: magnitude 3 > 0 but its gate is closed");
    assertEquals(0f, h.get(0, 2), "latent 2: gate open but magnitude -1");
    assertEquals(0f, h.get(1, 0), "latent 0: gate -1 on a zero product");
    assertEquals(5f, h.get(1, 1), 1e-6f);
    assertEquals(0f, h.get(1, 2));
    assertEquals(1, h.rowNnz(0));
    assertEquals(1, h.rowNnz(1));
    // the pre-activations are the magnitude path's, gate or not (SAELens' hook_sae_acts_pre)
    assertArrayEquals(new float[] {6.5f, 3f, -1f, 0.5f, 5f, -2f}, sae.preActivations(Z).toArray(), 1e-5f);
    // decode: h W_dec + b_dec
    assertArrayEquals(new float[] {7.5f, -1f, 1f, 4f}, sae.decode(h).toArray(), 1e-5f);
    // an ablation of latent 0 with the error term kept moves row 0 by -6.5 W_dec[0] and leaves row 1 alone
    FloatMatrix edited = sae.intervene(Z, 0, InterventionPlan.of(LatentIntervention.ablate(List.of(0))));
    assertArrayEquals(new float[] {3f - 6.5f, 1f, 1f, -1f}, edited.toArray(), 1e-5f);
  }

  @Test
  void the_registry_and_inspect_know_it_by_saelens_name() throws IOException {
    assertEquals(List.of("b_gate", "r_mag", "b_mag"), SaeTypes.parse("gated").parameterNames());
    assertEquals(SaeTypes.GATED, SaeTypes.parse("GATED"));
    assertTrue(SaeTypes.names().endsWith("gated"), SaeTypes.names());
    assertEquals("gated", SaeLoader.inspect(folder("inspected", true)).config().architecture().cfgName());
  }

  @Test
  void a_missing_gated_tensor_is_refused_naming_the_file_and_what_it_holds() throws IOException {
    Path dir = folder("no-r-mag", false);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SaeLoader.load(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("sae_weights.safetensors").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("has no tensor r_mag [3]; tensors present: "), e.getMessage());
    assertTrue(e.getMessage().contains("b_gate"), e.getMessage());
  }
}
