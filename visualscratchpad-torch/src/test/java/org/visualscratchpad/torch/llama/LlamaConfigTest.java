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
  void qwen2_has_attention_biases_and_its_own_class_defaults(@TempDir Path dir) throws Exception {
    LlamaConfig c = read(dir, "{\"model_type\": \"qwen2\"}");
    assertTrue(c.attentionBias());
    assertEquals(4096, c.hiddenSize());
    assertEquals(22016, c.intermediateSize());
    assertEquals(32, c.numKeyValueHeads());
    assertEquals(151936, c.vocabSize());
    assertEquals(32768, c.maxPositionEmbeddings());
    assertEquals(1e-6, c.rmsNormEps());
    assertEquals(10000.0, c.ropeTheta());
    assertEquals(0, c.slidingWindow());
    // the OneVision text_config as saved: rope_theta and GQA from the file, model_type qwen2 by default there
    Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 64, \"num_attention_heads\": 4, "
        + "\"num_key_value_heads\": 2, \"rope_theta\": 1000000.0}");
    LlamaConfig ov = LlamaConfig.read(ConfigJson.read(dir), "qwen2");
    assertEquals("qwen2", ov.modelType());
    assertEquals(2, ov.groupSize());
    assertEquals(1e6, ov.ropeTheta());
    assertTrue(ov.attentionBias());
    assertTrue(!read(dir, "{\"model_type\": \"llama\"}").attentionBias());
  }

  @Test
  void unsupported_qwen2_and_llama_variants_are_refused_naming_the_field(@TempDir Path dir) {
    CheckpointFormatException window = assertThrows(CheckpointFormatException.class,
        () -> read(dir, "{\"model_type\": \"qwen2\", \"use_sliding_window\": true}"));
    assertTrue(window.getMessage().contains("use_sliding_window"), window.getMessage());
    CheckpointFormatException bias = assertThrows(CheckpointFormatException.class,
        () -> read(dir, "{\"model_type\": \"llama\", \"attention_bias\": true}"));
    assertTrue(bias.getMessage().contains("attention_bias"), bias.getMessage());
    CheckpointFormatException act = assertThrows(CheckpointFormatException.class,
        () -> read(dir, "{\"model_type\": \"qwen2\", \"hidden_act\": \"gelu\"}"));
    assertTrue(act.getMessage().contains("hidden_act (gelu)"), act.getMessage());
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
