package org.visualscratchpad.sae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.tensor.FloatMatrix;

class TrainingRunTest {
  private static final long SEED = 7L;

  private static Path writeActivations(Path dir, int dIn) {
    SyntheticDictionary data = new SyntheticDictionary(dIn, 24, 2, 0.01, SEED);
    for (int f = 0; f < 2; f++) {
      FloatMatrix a = data.batch(300);
      FloatMatrix b = data.batch(150);
      new SafetensorsWriter().putFloats("acts_a", a.toArray(), a.rows(), dIn)
          .putFloats("acts_b", b.toArray(), 3, 50, dIn)
          .write(dir.resolve("part-" + f + ".safetensors"));
    }
    return dir;
  }

  private static TrainingConfig config(int dIn) {
    return TrainingConfig.paperDefaults(dIn, HookPoint.visionResidPost(3)).withDSae(48).withL1(0.05, DecoderNorm.UNIT)
        .withLearningRate(1e-3).withSchedule(40, 5, 10).withThreads(2).withSeed(SEED).withModelName("synthetic");
  }

  @Test
  void a_run_writes_a_saelens_folder_a_jsonl_log_and_checkpoints(@TempDir Path tmp) throws Exception {
    Path acts = writeActivations(Files.createDirectories(tmp.resolve("acts")), 16);
    Path out = tmp.resolve("out");
    try (var src = SafetensorsActivationSource.open(acts)) {
      assertEquals(2 * (300 + 150), src.totalRows());
      TrainingRun.run(config(16), src, new TrainingRun.Options(out, 64, 10, 2, false), TrainingListener.none());
    }
    JsonNode cfg = new ObjectMapper().readTree(out.resolve("cfg.json").toFile());
    assertEquals("standard", cfg.get("architecture").asText());
    assertEquals(16, cfg.get("d_in").asInt());
    assertEquals(48, cfg.get("d_sae").asInt());
    assertEquals("vision.blocks.3.hook_resid_post", cfg.get("hook_name").asText());
    assertTrue(cfg.get("apply_b_dec_to_input").asBoolean());
    assertEquals("float32", cfg.get("dtype").asText());
    assertEquals("synthetic", cfg.get("model_name").asText());
    try (SafetensorsFile w = SafetensorsFile.open(out.resolve("sae_weights.safetensors"))) {
      assertEquals(List.of(16L, 48L), w.info("W_enc").shape());
      assertEquals(List.of(48L), w.info("b_enc").shape());
      assertEquals(List.of(48L, 16L), w.info("W_dec").shape());
      assertEquals(List.of(16L), w.info("b_dec").shape());
      float[] dec = w.floats("W_dec");
      for (int j = 0; j < 48; j++) {
        double n = 0;
        for (int i = 0; i < 16; i++) {
          n += dec[j * 16 + i] * dec[j * 16 + i];
        }
        assertEquals(1.0, Math.sqrt(n), 1e-4, "decoder row " + j + " norm");
      }
    }
    try (SafetensorsFile s = SafetensorsFile.open(out.resolve("sparsity.safetensors"))) {
      for (float v : s.floats("sparsity")) {
        assertTrue(v <= 0f && v >= -10.01f, "log10 frequency " + v);
      }
    }
    List<String> log = Files.readAllLines(out.resolve(TrainingRun.LOG_FILE));
    assertEquals(40, log.size());
    for (int i = 0; i < log.size(); i++) {
      JsonNode line = new ObjectMapper().readTree(log.get(i));
      assertEquals(i + 1, line.get("step").asInt());
      for (String f : List.of("loss", "mse", "l1", "l0", "explained_variance", "dead_latents", "lr")) {
        assertTrue(line.has(f), "log line lacks " + f + ": " + log.get(i));
      }
    }
    double first = new ObjectMapper().readTree(log.get(0)).get("mse").asDouble();
    double last = new ObjectMapper().readTree(log.get(39)).get("mse").asDouble();
    assertTrue(last < first, "mse should fall: " + first + " -> " + last);
    assertEquals(out.resolve("checkpoints/step-000000040"), TrainingRun.latestCheckpoint(out));
    try (var dirs = Files.list(out.resolve("checkpoints"))) {
      assertEquals(3, dirs.count(), "two checkpoints kept plus the 'latest' pointer");
    }
  }

  @Test
  void an_interrupted_run_resumes_to_the_same_weights_as_an_uninterrupted_one(@TempDir Path tmp) throws Exception {
    Path acts = writeActivations(Files.createDirectories(tmp.resolve("acts")), 16);
    Path straight = tmp.resolve("straight");
    Path broken = tmp.resolve("broken");
    try (var src = SafetensorsActivationSource.open(acts)) {
      TrainingRun.run(config(16), src, new TrainingRun.Options(straight, 64, 10, 2, true), TrainingListener.none());
      RuntimeException crash = assertThrows(IllegalStateException.class, () ->
          TrainingRun.run(config(16), src, new TrainingRun.Options(broken, 64, 10, 2, true), (t, m) -> {
            if (m.step() == 25) {
              throw new IllegalStateException("simulated crash at step 25");
            }
          }));
      assertTrue(crash.getMessage().contains("25"));
      assertEquals(broken.resolve("checkpoints/step-000000020"), TrainingRun.latestCheckpoint(broken));
      assertFalse(Files.exists(broken.resolve("cfg.json")));
      TrainingRun.run(config(16), src, new TrainingRun.Options(broken, 64, 10, 2, true), TrainingListener.none());
    }
    try (SafetensorsFile a = SafetensorsFile.open(straight.resolve("sae_weights.safetensors"));
        SafetensorsFile b = SafetensorsFile.open(broken.resolve("sae_weights.safetensors"))) {
      for (String name : List.of("W_enc", "b_enc", "W_dec", "b_dec")) {
        assertArrayEquals(a.floats(name), b.floats(name), name + " differs after resuming");
      }
    }
    List<String> log = Files.readAllLines(broken.resolve(TrainingRun.LOG_FILE));
    assertEquals(40, log.size(), "the resumed log holds each step once");
    assertEquals(Files.readAllLines(straight.resolve(TrainingRun.LOG_FILE)), log);
  }

  @Test
  void activations_of_another_width_are_refused_before_any_work(@TempDir Path tmp) throws Exception {
    Path acts = writeActivations(Files.createDirectories(tmp.resolve("acts")), 16);
    Path out = tmp.resolve("out");
    try (var src = SafetensorsActivationSource.open(acts)) {
      InvalidInputException e = assertThrows(InvalidInputException.class, () ->
          TrainingRun.run(config(24), src, new TrainingRun.Options(out, 64, 10, 2, false), TrainingListener.none()));
      assertTrue(e.getMessage().contains("(16") && e.getMessage().contains("d_in (24)"), e.getMessage());
    }
    assertFalse(Files.exists(out));
  }

  @Test
  void a_folder_with_tensors_of_different_widths_is_refused_naming_both(@TempDir Path tmp) {
    new SafetensorsWriter().putFloats("a", new float[32], 2, 16).write(tmp.resolve("a.safetensors"));
    new SafetensorsWriter().putFloats("b", new float[30], 2, 15).write(tmp.resolve("b.safetensors"));
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
        () -> SafetensorsActivationSource.open(tmp));
    assertTrue(e.getMessage().contains("b.safetensors") && e.getMessage().contains("width 15")
        && e.getMessage().contains("width 16"), e.getMessage());
  }

  @Test
  void a_batch_with_nan_is_refused_and_leaves_the_trainer_usable() {
    try (SaeTrainer t = SaeTrainer.create(config(4))) {
      float[] bad = new float[8];
      bad[3] = Float.NaN;
      assertThrows(InvalidInputException.class, () -> t.step(FloatMatrix.of(2, 4, bad)));
      assertEquals(0, t.stepsTaken());
      StepMetrics m = t.step(FloatMatrix.of(2, 4, new float[] {1, 2, 3, 4, 4, 3, 2, 1}));
      assertEquals(1, m.step());
      assertTrue(Double.isFinite(m.loss()));
    }
  }
}
