package org.visualscratchpad.torch.llava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.safetensors.SafetensorsFile;
import org.visualscratchpad.safetensors.SafetensorsWriter;
import org.visualscratchpad.safetensors.TensorInfo;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.clip.ClipModel;

/** A broken model folder gives a clear CheckpointFormatException naming the file and tensor. */
class LoadErrorsTest {

  private static Path copy(String fixture, Path to) throws Exception {
    Path src = Fixtures.folder(fixture);
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(src)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
    return to;
  }

  /** Rewrites model.safetensors, dropping {@code drop} and giving {@code reshape} a wrong shape. */
  private static void rewrite(Path dir, String drop, String reshape) {
    Path file = dir.resolve("model.safetensors");
    SafetensorsWriter w = new SafetensorsWriter();
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      for (String n : f.names()) {
        if (n.equals(drop)) {
          continue;
        }
        TensorInfo info = f.info(n);
        long[] shape = info.shape().stream().mapToLong(Long::longValue).toArray();
        float[] v = f.floats(n);
        if (n.equals(reshape)) {
          shape = new long[] {shape[1], shape[0]};
        }
        w.putFloats(n, v, shape);
      }
    }
    w.write(file);
  }

  @Test
  void a_folder_without_config_json_is_rejected(@TempDir Path tmp) throws Exception {
    Path dir = copy("llava", tmp.resolve("m"));
    Files.delete(dir.resolve("config.json"));
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> LlavaModel.load(dir));
    assertTrue(e.getMessage().contains("config.json is missing"), e.getMessage());
    assertEquals(dir.resolve("config.json"), e.file());
  }

  @Test
  void a_missing_shard_is_named(@TempDir Path tmp) throws Exception {
    Path dir = copy("llava_next_llama3/sharded", tmp.resolve("m"));
    Files.delete(dir.resolve("model-00002-of-00003.safetensors"));
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> LlavaModel.load(dir));
    assertTrue(e.getMessage().contains("model-00002-of-00003.safetensors"), e.getMessage());
  }

  @Test
  void a_missing_tensor_is_named(@TempDir Path tmp) throws Exception {
    Path dir = copy("llava", tmp.resolve("m"));
    rewrite(dir, "language_model.model.layers.1.mlp.up_proj.weight", null);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> LlavaModel.load(dir));
    assertTrue(e.getMessage().contains("tensor language_model.layers.1.mlp.up_proj.weight is missing"), e.getMessage());
  }

  @Test
  void a_tensor_with_the_wrong_shape_names_file_tensor_and_both_shapes(@TempDir Path tmp) throws Exception {
    Path dir = copy("llava", tmp.resolve("m"));
    rewrite(dir, null, "language_model.model.layers.0.mlp.down_proj.weight");
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> LlavaModel.load(dir));
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("down_proj.weight")
        && e.getMessage().contains("[128, 64]") && e.getMessage().contains("[64, 128]"), e.getMessage());
  }

  @Test
  void an_unknown_model_type_is_rejected(@TempDir Path tmp) throws Exception {
    Path dir = copy("llava", tmp.resolve("m"));
    String cfg = Files.readString(dir.resolve("config.json")).replace("\"model_type\": \"llava\"", "\"model_type\": \"blip\"");
    Files.writeString(dir.resolve("config.json"), cfg);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> LlavaModel.load(dir));
    assertTrue(e.getMessage().contains("model_type (blip)"), e.getMessage());
    CheckpointFormatException c = assertThrows(CheckpointFormatException.class, () -> ClipModel.load(dir));
    assertTrue(c.getMessage().contains("model_type (blip)"), c.getMessage());
  }

  @Test
  void the_new_key_layout_loads_like_the_legacy_one(@TempDir Path tmp) throws Exception {
    Path dir = copy("llava", tmp.resolve("m"));
    Path file = dir.resolve("model.safetensors");
    SafetensorsWriter w = new SafetensorsWriter();
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      for (String n : f.names()) {
        String renamed = n.startsWith("language_model.model.") ? "model.language_model." + n.substring(21)
            : n.startsWith("language_model.lm_head.") ? n.substring("language_model.".length()) : "model." + n;
        w.putFloats(renamed, f.floats(n), f.info(n).shape().stream().mapToLong(Long::longValue).toArray());
      }
    }
    w.write(file);
    try (LlavaModel legacy = LlavaModel.load(Fixtures.folder("llava")); LlavaModel renamed = LlavaModel.load(dir)) {
      long[][] ids = {{1, 5, 7, 9}};
      assertEquals(legacy.forwardTrace(ids, null, null, java.util.List.of(), false).get("logits").orElseThrow(),
          renamed.forwardTrace(ids, null, null, java.util.List.of(), false).get("logits").orElseThrow());
    }
  }

  @Test
  void an_unknown_or_absent_device_is_rejected_before_loading() {
    var e = assertThrows(org.visualscratchpad.InvalidInputException.class,
        () -> LlavaModel.load(Fixtures.folder("llava"), "gpu:7"));
    assertTrue(e.getMessage().contains("device (gpu:7)"), e.getMessage());
    assertThrows(org.visualscratchpad.InvalidInputException.class, () -> LlavaModel.load(Fixtures.folder("llava"), "tpu"));
    var d = assertThrows(org.visualscratchpad.InvalidInputException.class,
        () -> LlavaModel.load(Fixtures.folder("llava"), "cpu", "int8"));
    assertTrue(d.getMessage().contains("dtype (int8)"), d.getMessage());
    if (ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
      var g = assertThrows(org.visualscratchpad.InvalidInputException.class,
          () -> LlavaModel.load(Fixtures.folder("llava"), "gpu"));
      assertTrue(g.getMessage().contains("pytorch-native-cu"), g.getMessage());
    }
  }

  /** Found by fuzzing: a zero head count divided by zero inside the text config reader. */
  @Test
  void a_zero_attention_head_count_is_a_checkpoint_error() throws Exception {
    var root = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(Fixtures.folder("llava").resolve("config.json").toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("text_config")).put("num_attention_heads", 0);
    Path file = Files.createTempFile("config", ".json");
    try {
      Files.writeString(file, root.toString());
      var e = assertThrows(org.visualscratchpad.CheckpointFormatException.class,
          () -> LlavaConfig.read(org.visualscratchpad.torch.checkpoint.ConfigJson.read(file)));
      assertTrue(e.getMessage().contains("num_attention_heads"), e.getMessage());
    } finally {
      Files.delete(file);
    }
  }
}
