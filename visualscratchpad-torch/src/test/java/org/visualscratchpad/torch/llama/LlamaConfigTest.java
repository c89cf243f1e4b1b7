package org.visualscratchpad.torch.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.torch.checkpoint.ConfigJson;

class LlamaConfigTest {

  private static LlamaConfig read(Path dir, String json) throws Exception {
    Files.writeString(dir.resolve("config.json"), json);
    return LlamaConfig.read(ConfigJson.read(dir));
  }

  @Test
  void omitted_keys_take_the_llama_class_defaults(@TempDir Path dir) throws Exception {
    LlamaConfig c = read(dir, "{\"model_type\": \"llama\", \"vocab_size\": 32064, \"rms_norm_eps\": 1e-5}");
    assertEquals(4096, c.hiddenSize());
    assertEquals(11008, c.intermediateSize());
    assertEquals(32, c.numLayers());
    assertEquals(32, c.numKeyValueHeads());
    assertEquals(128, c.headDim());
    assertEquals(10000.0, c.ropeTheta());
    assertEquals(1e-5, c.rmsNormEps());
    assertEquals(0, c.slidingWindow());
    assertNull(c.ropeScaling());
  }

  @Test
  void mistral_defaults_to_a_4096_window_unless_the_config_says_null(@TempDir Path dir) throws Exception {
    assertEquals(4096, read(dir, "{\"model_type\": \"mistral\"}").slidingWindow());
    assertEquals(0, read(dir, "{\"model_type\": \"mistral\", \"sliding_window\": null}").slidingWindow());
    assertEquals(8, read(dir, "{\"model_type\": \"mistral\"}").numKeyValueHeads());
  }

  @Test
  void llama3_rope_scaling_keeps_high_frequencies_and_divides_low_ones(@TempDir Path dir) throws Exception {
    LlamaConfig c = read(dir, "{\"model_type\": \"llama\", \"rope_theta\": 500000.0, \"rope_scaling\": {\"rope_type\": "
        + "\"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, "
        + "\"original_max_position_embeddings\": 8192}}");
    float[] scaled = LlamaDecoder.inverseFrequencies(c);
    LlamaConfig plain = read(dir, "{\"model_type\": \"llama\", \"rope_theta\": 500000.0}");
    float[] base = LlamaDecoder.inverseFrequencies(plain);
    assertEquals(base[0], scaled[0]);                       // wavelength 2*pi < 8192/4: kept
    assertEquals(base[63] / 8f, scaled[63], 1e-12f);        // longest wavelength > 8192: divided by the factor
    for (int i = 0; i < 64; i++) {
      assertTrue(scaled[i] <= base[i] && scaled[i] >= base[i] / 8f - 1e-12f, "frequency " + i);
    }
  }

  @Test
  void an_unknown_text_model_type_names_the_file_and_field(@TempDir Path dir) {
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
        () -> read(dir, "{\"model_type\": \"gpt2\"}"));
    assertTrue(e.getMessage().contains("model_type (gpt2)") && e.getMessage().contains("config.json"), e.getMessage());
  }

  @Test
  void an_unsupported_rope_type_is_rejected(@TempDir Path dir) {
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
        () -> read(dir, "{\"model_type\": \"llama\", \"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4.0}}"));
    assertTrue(e.getMessage().contains("rope_scaling"), e.getMessage());
  }
}
