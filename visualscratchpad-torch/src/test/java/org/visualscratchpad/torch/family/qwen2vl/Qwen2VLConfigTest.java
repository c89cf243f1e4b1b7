package org.visualscratchpad.torch.family.qwen2vl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.torch.Fixtures;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.torch.family.VlmFamilies;

/** {@code Qwen2VLConfig}: the fixture's values and defaults, the Hub's and later transformers' layouts, refusals. */
class Qwen2VLConfigTest {
  @TempDir Path tmp;
  private final ObjectMapper json = new ObjectMapper();

  private ObjectNode fixtureConfig() throws IOException {
    return (ObjectNode) json.readTree(Fixtures.folder("qwen2_vl").resolve("config.json").toFile());
  }

  private Qwen2VLConfig read(ObjectNode root) throws IOException {
    Files.writeString(tmp.resolve("config.json"), json.writeValueAsString(root));
    return Qwen2VLConfig.read(ConfigJson.read(tmp));
  }

  @Test
  void the_fixture_reads_with_the_defaults_config_json_omits() {
    Path dir = Fixtures.folder("qwen2_vl");
    Qwen2VLConfig c = (Qwen2VLConfig) VlmFamilies.forConfig(ConfigJson.read(dir)).readConfig(ConfigJson.read(dir));
    assertArrayEquals(new int[] {2, 3, 3}, c.mropeSection());
    assertEquals(64, c.text().hiddenSize());
    assertEquals(2, c.text().numKeyValueHeads());
    assertEquals(1e6, c.text().ropeTheta());
    assertEquals(1e-6, c.text().rmsNormEps());
    assertTrue(c.text().attentionBias());
    assertEquals(195, c.imageTokenIndex());
    assertEquals(197, c.visionStartTokenId());
    assertEquals(198, c.visionEndTokenId());
    assertEquals(199, c.padTokenId());
    assertEquals(3, c.featureHiddenIndex());
    assertEquals(9408, c.processor().maxPixels());
    // the largest square image max_pixels lets through: 84 x 84 (9,408 = 84 x 112), 36 patches, 9 tokens
    assertEquals(84, c.vision().imageSize());
    assertEquals(36, c.vision().tokensPerCrop());
    assertEquals("<|image_pad|>", c.imagePlaceholder());
  }

  @Test
  void the_pre_flight_budgets_the_image_it_names_and_at_most_1280_tokens_for_the_hub_s_max_pixels() throws IOException {
    Path dir = Fixtures.folder("qwen2_vl");
    var fixture = VlmFamilies.forConfig(ConfigJson.read(dir));
    assertEquals(9, fixture.budget(fixture.readConfig(ConfigJson.read(dir))).imageTokens(), "84 x 84 px: 9 tokens");
    Files.copy(dir.resolve("config.json"), tmp.resolve("config.json"));
    ObjectNode pre = (ObjectNode) json.readTree(dir.resolve("preprocessor_config.json").toFile());
    pre.put("max_pixels", 12845056);   // the Hub's: 16,384 tokens for one image
    if (pre.has("size")) {
      ((ObjectNode) pre.get("size")).put("max_pixels", 12845056);
    }
    Files.writeString(tmp.resolve("preprocessor_config.json"), json.writeValueAsString(pre));
    var hub = VlmFamilies.forConfig(ConfigJson.read(tmp));
    Qwen2VLConfig c = (Qwen2VLConfig) hub.readConfig(ConfigJson.read(tmp));
    assertEquals(12845056, c.processor().maxPixels());
    assertEquals(Qwen2VLFamily.PREFLIGHT_IMAGE_TOKENS, hub.budget(c).imageTokens());
  }

  @Test
  void the_hub_s_mrope_type_and_later_transformers_text_config_read_alike() throws IOException {
    ObjectNode hub = fixtureConfig();
    ((ObjectNode) hub.get("rope_scaling")).removeAll().put("type", "mrope").putArray("mrope_section").add(2).add(3).add(3);
    hub.remove("rms_norm_eps");
    Qwen2VLConfig h = read(hub);
    assertArrayEquals(new int[] {2, 3, 3}, h.mropeSection());
    assertEquals(1e-5, h.text().rmsNormEps(), "Qwen2VLConfig's own default");
    ObjectNode later = fixtureConfig();
    ObjectNode text = later.putObject("text_config");
    for (String k : new String[] {"hidden_size", "intermediate_size", "num_attention_heads", "num_hidden_layers",
        "num_key_value_heads", "rms_norm_eps", "rope_theta", "vocab_size", "rope_scaling", "max_position_embeddings"}) {
      text.set(k, later.remove(k));
    }
    text.put("model_type", "qwen2_vl_text");
    Qwen2VLConfig l = read(later);
    assertEquals(read(fixtureConfig()), l);
  }

  @Test
  void a_config_without_mrope_section_or_with_a_misfit_is_refused_naming_the_field() throws IOException {
    ObjectNode none = fixtureConfig();
    none.remove("rope_scaling");
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> read(none));
    assertTrue(e.getMessage().contains("rope_scaling.mrope_section is missing"), e.getMessage());
    ObjectNode wrong = fixtureConfig();
    ((ObjectNode) wrong.get("rope_scaling")).putArray("mrope_section").add(2).add(3).add(4);
    e = assertThrows(CheckpointFormatException.class, () -> read(wrong));
    assertTrue(e.getMessage().contains("mrope_section ([2, 3, 4])") && e.getMessage().contains("(8)"), e.getMessage());
    ObjectNode sliding = fixtureConfig().put("use_sliding_window", true);
    e = assertThrows(CheckpointFormatException.class, () -> read(sliding));
    assertTrue(e.getMessage().contains("use_sliding_window"), e.getMessage());
    ObjectNode noImage = fixtureConfig();
    noImage.remove("image_token_id");
    e = assertThrows(CheckpointFormatException.class, () -> read(noImage));
    assertTrue(e.getMessage().contains("image_token_id is missing"), e.getMessage());
    ObjectNode width = fixtureConfig();
    ((ObjectNode) width.get("vision_config")).put("hidden_size", 48);
    e = assertThrows(CheckpointFormatException.class, () -> read(width));
    assertTrue(e.getMessage().contains("vision_config.hidden_size (48"), e.getMessage());
  }
}
