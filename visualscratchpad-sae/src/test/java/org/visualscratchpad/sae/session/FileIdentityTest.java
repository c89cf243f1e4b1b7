package org.visualscratchpad.sae.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;

class FileIdentityTest {
  @TempDir Path dir;

  @Test
  void sha256_matches_the_standard_test_vector() throws Exception {
    Path f = Files.writeString(dir.resolve("abc.txt"), "abc");
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", FileIdentity.sha256(f));
  }

  @Test
  void a_model_is_its_config_and_weights_and_a_changed_file_is_named() throws Exception {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{\"a\": 1}");
    Files.writeString(model.resolve("model-00001-of-00002.safetensors"), "one");
    Files.writeString(model.resolve("model-00002-of-00002.safetensors"), "two");
    Files.writeString(model.resolve("README.md"), "not part of the identity");
    FileIdentity id = FileIdentity.ofModel(model);
    assertEquals(List.of("config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"),
        List.copyOf(id.sha256().keySet()));
    assertNull(FileIdentity.ofModel(model).difference(id, "model"));

    Files.writeString(model.resolve("model-00002-of-00002.safetensors"), "TWO, changed and longer");
    String diff = FileIdentity.ofModel(model).difference(id, "model");
    assertTrue(diff.contains("model-00002-of-00002.safetensors") && diff.contains(id.sha256().get(
        "model-00002-of-00002.safetensors")), diff);
    assertTrue(id.toString().startsWith("FileIdentity[config.json="), id.toString());
  }

  @Test
  void an_sae_folder_is_all_its_files_and_a_file_is_itself() throws Exception {
    Path sae = Files.createDirectories(dir.resolve("sae"));
    Files.writeString(sae.resolve("cfg.json"), "{}");
    Files.writeString(sae.resolve("sae_weights.safetensors"), "w");
    assertEquals(List.of("cfg.json", "sae_weights.safetensors"), List.copyOf(FileIdentity.ofSae(sae).sha256().keySet()));
    assertEquals(List.of("cfg.json"), List.copyOf(FileIdentity.ofSae(sae.resolve("cfg.json")).sha256().keySet()));
    FileIdentity before = FileIdentity.ofSae(sae);
    Files.delete(sae.resolve("cfg.json"));
    String diff = FileIdentity.ofSae(sae).difference(before, "SAE");
    assertTrue(diff.contains("SAE file cfg.json is missing"), diff);
  }

  @Test
  void an_empty_folder_is_not_a_model() {
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> FileIdentity.ofModel(dir));
    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
  }
}
