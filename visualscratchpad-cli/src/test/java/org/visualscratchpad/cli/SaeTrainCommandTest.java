package org.visualscratchpad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.safetensors.SafetensorsWriter;

class SaeTrainCommandTest {

  @Test
  void sae_train_writes_a_saelens_folder_and_resumes(@TempDir Path tmp) throws Exception {
    SplittableRandom rnd = new SplittableRandom(5);
    float[] acts = new float[500 * 16];
    for (int i = 0; i < acts.length; i++) {
      acts[i] = (float) rnd.nextDouble();
    }
    new SafetensorsWriter().putFloats("acts", acts, 500, 16).write(tmp.resolve("acts.safetensors"));
    Path out = tmp.resolve("sae");
    String[] args = {"sae", "train", "--activations", tmp.resolve("acts.safetensors").toString(),
        "--hook", "vision.blocks.2.hook_resid_post", "--out", out.toString(), "--expansion", "4", "--steps", "20",
        "--batch-size", "64", "--checkpoint-every", "10", "--lr", "1e-3", "--resume"};
    assertEquals(0, Vsp.run(args));
    var cfg = new ObjectMapper().readTree(out.resolve("cfg.json").toFile());
    assertEquals(64, cfg.get("d_sae").asInt());
    assertEquals("vision.blocks.2.hook_resid_post", cfg.get("hook_name").asText());
    assertEquals(20, Files.readAllLines(out.resolve("training_log.jsonl")).size());
    // asking for more steps continues from the step-20 checkpoint
    args[11] = "30";
    assertEquals(0, Vsp.run(args));
    assertEquals(30, Files.readAllLines(out.resolve("training_log.jsonl")).size());
    assertEquals(30, new ObjectMapper().readTree(out.resolve("cfg.json").toFile()).get("training_steps").asInt());
  }

  @Test
  void sae_train_on_a_missing_folder_fails_with_one_clear_line(@TempDir Path tmp) {
    assertEquals(2, Vsp.run("sae", "train", "--activations", tmp.resolve("nope").toString(), "--hook",
        "vision.blocks.2.hook_resid_post", "--out", tmp.resolve("o").toString()));
    assertTrue(Files.notExists(tmp.resolve("o")));
  }

  @Test
  void training_over_an_existing_sae_is_refused_unless_resume_or_force(@TempDir Path tmp) throws Exception {
    SplittableRandom rnd = new SplittableRandom(6);
    float[] acts = new float[300 * 8];
    for (int i = 0; i < acts.length; i++) {
      acts[i] = (float) rnd.nextDouble();
    }
    new SafetensorsWriter().putFloats("acts", acts, 300, 8).write(tmp.resolve("acts.safetensors"));
    Path out = tmp.resolve("sae");
    String[] args = {"sae", "train", "--activations", tmp.resolve("acts.safetensors").toString(),
        "--hook", "vision.blocks.2.hook_resid_post", "--out", out.toString(), "--expansion", "2", "--steps", "20",
        "--batch-size", "32", "--checkpoint-every", "5", "--keep-checkpoints", "4", "--lr", "1e-3"};
    assertEquals(0, Vsp.run(args));
    byte[] weights = Files.readAllBytes(out.resolve("sae_weights.safetensors"));
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream old = System.err;
    int rc;
    try (java.io.PrintStream capture = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8)) {
      System.setErr(capture);
      rc = Vsp.run(args);
    } finally {
      System.setErr(old);
    }
    String message = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(2, rc, message);
    assertTrue(message.contains("--out (" + out + ") already holds") && message.contains("--resume")
        && message.contains("--force"), message);
    assertTrue(java.util.Arrays.equals(weights, Files.readAllBytes(out.resolve("sae_weights.safetensors"))),
        "the SAE is untouched");
    // --force replaces the run: the old run's log lines and checkpoints are gone
    String[] force = java.util.Arrays.copyOf(args, args.length + 1);
    force[args.length] = "--force";
    force[11] = "10";
    assertEquals(0, Vsp.run(force));
    assertEquals(10, Files.readAllLines(out.resolve("training_log.jsonl")).size());
    try (var steps = Files.list(out.resolve("checkpoints"))) {
      assertTrue(steps.noneMatch(p -> p.getFileName().toString().compareTo("step-000000010") > 0
          && p.getFileName().toString().startsWith("step-")), "no checkpoint of the old run is left");
    }
  }
}
