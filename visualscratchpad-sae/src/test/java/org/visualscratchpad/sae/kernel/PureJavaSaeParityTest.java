package org.visualscratchpad.sae.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.intervention.TokenScope;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.sae.Fixtures;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.format.SaeLoadOptions;
import org.visualscratchpad.sae.format.SaeLoader;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Parity with the reference pipeline (transformers + SAELens conventions) on
 * fixtures/hf-reference/scratchpad_llava: SAE pre-activations, activations, reconstruction, error
 * and every intervention's z', with both kernels, within the fixture's tolerance (atol 1e-4 + rtol 1e-4).
 */
class PureJavaSaeParityTest {
  private static final double ATOL = 1e-4;
  private static final double RTOL = 1e-4;
  private static SafetensorsFile outputs;
  private static Path saeDir;

  @BeforeAll
  static void open() {
    Path fixture = Fixtures.scratchpadLlava();
    saeDir = fixture.resolve("sae");
    outputs = SafetensorsFile.open(fixture.resolve("outputs.safetensors"));
  }

  @AfterAll
  static void close() {
    if (outputs != null) {
      outputs.close();
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (KernelChoice k : new KernelChoice[] {KernelChoice.SCALAR, KernelChoice.VECTOR}) {
      for (int c = 0; c < 3; c++) {
        out.add(Arguments.of(k, c));
      }
    }
    return out.stream();
  }

  private static PureJavaSae load(KernelChoice kernel) {
    if (kernel == KernelChoice.VECTOR) {
      assumeTrue(KernelChoice.vectorAvailable(), "run with --add-modules jdk.incubator.vector");
    }
    return SaeLoader.load(saeDir, SaeLoadOptions.defaults().expectingDIn(32).withKernel(kernel));
  }

  private static FloatMatrix matrix(String name, int rows, int cols) {
    return FloatMatrix.adopt(rows, cols, outputs.floats(name));
  }

  private static void assertClose(FloatMatrix expected, FloatMatrix actual, String what) {
    assertEquals(expected.rows(), actual.rows(), what + " rows");
    assertEquals(expected.cols(), actual.cols(), what + " cols");
    double worst = 0;
    for (int r = 0; r < expected.rows(); r++) {
      for (int c = 0; c < expected.cols(); c++) {
        double e = expected.get(r, c);
        double a = actual.get(r, c);
        double err = Math.abs(e - a);
        worst = Math.max(worst, err);
        assertTrue(err <= ATOL + RTOL * Math.abs(e),
            what + " [" + r + ", " + c + "]: expected " + e + ", got " + a + " (|diff| " + err + ")");
      }
    }
    System.out.printf("%-60s max |diff| %.2e%n", what, worst);
  }

  @ParameterizedTest(name = "{0} kernel, case {1}")
  @MethodSource("cases")
  void encode_decode_and_error_match_the_reference(KernelChoice kernel, int c) {
    PureJavaSae sae = load(kernel);
    String p = "case" + c + ".";
    FloatMatrix z = matrix(p + "vision_hidden_states.2", 37, 32);
    assertEquals(matrix(p + "sae_in", 37, 32), z, "sae_in is hidden_states[2]");

    assertClose(matrix(p + "sae_pre", 37, 256), sae.preActivations(z), kernel + " " + p + "sae_pre");
    SparseActivations h = sae.encode(z);
    assertClose(matrix(p + "sae_acts", 37, 256), h.toDense(), kernel + " " + p + "sae_acts");
    FloatMatrix recon = sae.decode(h);
    assertClose(matrix(p + "sae_recon", 37, 32), recon, kernel + " " + p + "sae_recon");
    float[] err = z.toArray();
    float[] rec = recon.toArray();
    for (int i = 0; i < err.length; i++) {
      err[i] -= rec[i];
    }
    assertClose(matrix(p + "sae_error", 37, 32), FloatMatrix.adopt(37, 32, err), kernel + " " + p + "sae_error");
  }

  @ParameterizedTest(name = "{0} kernel, case {1}")
  @MethodSource("cases")
  void every_intervention_matches_the_reference_z_prime(KernelChoice kernel, int c) {
    PureJavaSae sae = load(kernel);
    String p = "case" + c + ".";
    FloatMatrix z = matrix(p + "vision_hidden_states.2", 37, 32);
    SparseActivations h = sae.encode(z);
    List<Integer> ablated = ids(p + "interv.ablate_with_error.latent_ids");
    int steered = ids(p + "interv.steer_with_error.latent_ids").get(0);
    float max = 0f;
    for (int row = 1; row < 37; row++) {
      max = Math.max(max, h.get(row, steered));
    }
    float value = 3f * max;
    float stored = outputs.floats(p + "interv.steer_with_error.steer_value")[0];
    assertTrue(Math.abs(value - stored) <= ATOL + RTOL * stored, "steer value " + value + " vs " + stored);

    FloatMatrix noop = sae.intervene(z, h, 0, InterventionPlan.none());
    assertEquals(z, noop, "no edit with the error term kept must return z bit for bit");
    check(sae, z, h, p, "noop_with_error", InterventionPlan.none(), kernel);
    check(sae, z, h, p, "ablate_with_error", InterventionPlan.of(LatentIntervention.ablate(ablated)), kernel);
    check(sae, z, h, p, "ablate_with_error_patches_only",
        InterventionPlan.of(LatentIntervention.ablate(ablated, TokenScope.patchesOnly())), kernel);
    check(sae, z, h, p, "steer_with_error",
        InterventionPlan.of(LatentIntervention.setValue(List.of(steered), value, TokenScope.patchesOnly())), kernel);
    check(sae, z, h, p, "ablate_no_error",
        InterventionPlan.of(LatentIntervention.ablate(ablated)).withErrorTerm(ErrorTerm.DROP), kernel);
    check(sae, z, h, p, "recon_no_error", InterventionPlan.none().withErrorTerm(ErrorTerm.DROP), kernel);
  }

  private static void check(PureJavaSae sae, FloatMatrix z, SparseActivations h, String p, String name,
      InterventionPlan plan, KernelChoice kernel) {
    FloatMatrix expected = matrix(p + "interv." + name + ".sae_in_modified", 37, 32);
    assertClose(expected, sae.intervene(z, h, 0, plan), kernel + " " + p + name + " z'");
    assertClose(expected, sae.intervene(z, 0, plan), kernel + " " + p + name + " z' (encoding itself)");
  }

  private static List<Integer> ids(String name) {
    List<Integer> out = new ArrayList<>();
    for (long v : outputs.longs(name)) {
      out.add((int) v);
    }
    return out;
  }
}
