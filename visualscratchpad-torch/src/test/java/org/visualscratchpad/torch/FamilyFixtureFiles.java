package org.visualscratchpad.torch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.visualscratchpad.safetensors.SafetensorsWriter;

/**
 * The llava_onevision and qwen2_vl fixtures of {@code ../shared/fixtures/hf-reference} made usable end to end in
 * tests: their weights with a word-level tokenizer over their 200 synthetic ids and a chat template, and seeded
 * SAELens SAEs after a vision layer. In the torch module's test-jar, for the other modules' tests too.
 */
public final class FamilyFixtureFiles {
  private FamilyFixtureFiles() {}

  /** Qwen2-VL-7B-Instruct's chat template (chat_template.json). */
  public static final String QWEN2VL_CHAT_TEMPLATE = "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}"
      + "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}<|im_start|>system\n"
      + "You are a helpful assistant.<|im_end|>\n{% endif %}<|im_start|>{{ message['role'] }}\n"
      + "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
      + "{% else %}{% for content in message['content'] %}"
      + "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
      + "{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: "
      + "{% endif %}<|vision_start|><|image_pad|><|vision_end|>"
      + "{% elif content['type'] == 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}"
      + "{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>"
      + "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n"
      + "{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

  /** The qwen2_vl fixture's model files with {@link #qwen2vlTokenizer}; returns {@code model}. */
  public static Path qwen2vlModel(Path model) throws IOException {
    Path fixture = Fixtures.folder("qwen2_vl");
    Files.createDirectories(model);
    for (String f : List.of("config.json", "model.safetensors", "generation_config.json", "preprocessor_config.json")) {
      Files.copy(fixture.resolve(f), model.resolve(f));
    }
    qwen2vlTokenizer(model);
    return model;
  }

  /** The fixture's model files, a word-level tokenizer and a Qwen-style chat template (im_start / im_end). */
  public static Path onevisionModel(Path model) throws IOException {
    Path fixture = Fixtures.folder("llava_onevision");
    Files.createDirectories(model);
    for (String f : List.of("config.json", "model.safetensors", "generation_config.json", "preprocessor_config.json")) {
      Files.copy(fixture.resolve(f), model.resolve(f));
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    String[] special = new String[200];
    special[0] = "<unk>";
    special[1] = "<s>";
    special[2] = "</s>";
    special[3] = "<|im_start|>";
    special[4] = "<|im_end|>";
    special[195] = "<image>";
    special[196] = "<video>";
    special[199] = "<pad>";
    for (int id = 0; id < 200; id++) {
      if (special[id] != null) {
        added.addObject().put("id", id).put("content", special[id]).put("single_word", false).put("lstrip", false)
            .put("rstrip", false).put("normalized", false).put("special", true);
      }
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "Whitespace");
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", false);
    ObjectNode m = root.putObject("model");
    m.put("type", "WordLevel").put("unk_token", "<unk>");
    ObjectNode vocab = m.putObject("vocab");
    for (int id = 0; id < 200; id++) {
      vocab.put(special[id] != null ? special[id] : id == 5 ? "user" : id == 6 ? "assistant" : "w" + id, id);
    }
    Files.writeString(model.resolve("tokenizer.json"), json.writeValueAsString(root));
    ObjectNode tpl = json.createObjectNode();
    tpl.put("chat_template", "{% for message in messages %}{{ '<|im_start|>' + message['role'] + ' ' }}"
        + "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\\n' }}{% endfor %}"
        + "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] }}{% endfor %}"
        + "{{ '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}");
    Files.writeString(model.resolve("chat_template.json"), json.writeValueAsString(tpl));
    return model;
  }

  /** A seeded SAELens "standard" SAE of {@code dSae} latents after SigLIP layer 1 (width 32). */
  public static Path onevisionSae(Path sae, int dSae) throws IOException {
    int dIn = 32;
    Files.createDirectories(sae);
    SplittableRandom r = new SplittableRandom(11);
    float[] wEnc = new float[dIn * dSae];
    float[] wDec = new float[dSae * dIn];
    float[] bEnc = new float[dSae];
    for (int i = 0; i < wEnc.length; i++) {
      wEnc[i] = (float) (r.nextGaussian() / Math.sqrt(dIn));
    }
    for (int j = 0; j < dSae; j++) {
      bEnc[j] = -0.4f;
      for (int i = 0; i < dIn; i++) {
        wDec[j * dIn + i] = 0.5f * wEnc[i * dSae + j];
      }
    }
    new SafetensorsWriter().putFloats("W_enc", wEnc, dIn, dSae).putFloats("b_enc", bEnc, dSae)
        .putFloats("W_dec", wDec, dSae, dIn).putFloats("b_dec", new float[dIn], dIn)
        .write(sae.resolve("sae_weights.safetensors"));
    Files.writeString(sae.resolve("cfg.json"), "{\"architecture\":\"standard\",\"d_in\":" + dIn + ",\"d_sae\":" + dSae
        + ",\"hook_name\":\"vision.blocks.1.hook_resid_post\",\"apply_b_dec_to_input\":true,"
        + "\"dtype\":\"float32\",\"normalize_activations\":\"none\"}");
    return sae;
  }
  /**
   * Word-level {@code tokenizer.json} over ids 0..199 ({@code w<id>}) with the fixture's special ids as Qwen's
   * tokens (1 {@code <|im_start|>}, 2 {@code <|im_end|>}, 195 {@code <|image_pad|>}, 196 {@code <|video_pad|>},
   * 197 {@code <|vision_start|>}, 198 {@code <|vision_end|>}, 199 {@code <|endoftext|>}), the words of the system
   * prompt, and the chat template.
   */
  public static void qwen2vlTokenizer(Path model) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<Integer, String> special = Map.of(0, "<unk>", 1, "<|im_start|>", 2, "<|im_end|>", 195, "<|image_pad|>",
        196, "<|video_pad|>", 197, "<|vision_start|>", 198, "<|vision_end|>", 199, "<|endoftext|>");
    Map<Integer, String> words = Map.of(3, "system", 4, "user", 5, "assistant", 6, "You", 7, "are", 8, "a",
        9, "helpful", 10, ".");
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int id = 0; id < 200; id++) {
      if (special.containsKey(id)) {
        added.addObject().put("id", id).put("content", special.get(id)).put("single_word", false).put("lstrip", false)
            .put("rstrip", false).put("normalized", false).put("special", true);
      }
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "Whitespace");
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", false);
    ObjectNode m = root.putObject("model");
    m.put("type", "WordLevel").put("unk_token", "<unk>");
    ObjectNode vocab = m.putObject("vocab");
    for (int id = 0; id < 200; id++) {
      vocab.put(special.getOrDefault(id, words.getOrDefault(id, "w" + id)), id);
    }
    Files.writeString(model.resolve("tokenizer.json"), json.writeValueAsString(root));
    ObjectNode tc = json.createObjectNode().put("eos_token", "<|im_end|>").put("pad_token", "<|endoftext|>");
    tc.putNull("bos_token");
    Files.writeString(model.resolve("tokenizer_config.json"), json.writeValueAsString(tc));
    Files.writeString(model.resolve("chat_template.json"),
        json.writeValueAsString(json.createObjectNode().put("chat_template", QWEN2VL_CHAT_TEMPLATE)));
  }

  /**
   * A seeded SAELens "standard" SAE at {@code vision.blocks.<layer>.hook_resid_post}: unit decoder rows, {@code
   * W_enc = W_dec^T}, {@code b_dec} 0, thresholds in [0.2, 0.8] (about a fifth of the latents fire per patch).
   */
  public static Path unitRowSae(Path out, int dIn, int dSae, int layer) {
    try {
      Files.createDirectories(out);
      SplittableRandom rnd = new SplittableRandom(15);
      float[] wDec = new float[dSae * dIn];
      for (int j = 0; j < dSae; j++) {
        double norm = 0;
        for (int i = 0; i < dIn; i++) {
          double g = rnd.nextDouble(-1, 1);
          wDec[j * dIn + i] = (float) g;
          norm += g * g;
        }
        for (int i = 0; i < dIn; i++) {
          wDec[j * dIn + i] /= (float) Math.sqrt(norm);
        }
      }
      float[] wEnc = new float[dIn * dSae];
      for (int j = 0; j < dSae; j++) {
        for (int i = 0; i < dIn; i++) {
          wEnc[i * dSae + j] = wDec[j * dIn + i];
        }
      }
      float[] bEnc = new float[dSae];
      for (int j = 0; j < dSae; j++) {
        bEnc[j] = (float) -rnd.nextDouble(0.2, 0.8);
      }
      new SafetensorsWriter().putFloats("W_enc", wEnc, dIn, dSae).putFloats("b_enc", bEnc, dSae)
          .putFloats("W_dec", wDec, dSae, dIn).putFloats("b_dec", new float[dIn], dIn)
          .write(out.resolve("sae_weights.safetensors"));
      Files.writeString(out.resolve("cfg.json"), "{\"architecture\":\"standard\",\"d_in\":" + dIn + ",\"d_sae\":" + dSae
          + ",\"hook_name\":\"vision.blocks." + layer + ".hook_resid_post\",\"apply_b_dec_to_input\":true,"
          + "\"dtype\":\"float32\",\"normalize_activations\":\"none\"}");
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
