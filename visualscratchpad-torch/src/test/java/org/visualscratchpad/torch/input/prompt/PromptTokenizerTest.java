package org.visualscratchpad.torch.input.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.prompt.ChatTemplate.GenerationPrompt;

class PromptTokenizerTest {
  static final long BOS = 1;
  static final long IMAGE = 3;
  static PromptTokenizer llava;

  static Path resource(String dir) {
    try {
      return Path.of(PromptTokenizerTest.class.getResource("/tokenizers/" + dir).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void load() {
    llava = PromptTokenizer.load(resource("llava"));
  }

  @AfterAll
  static void close() {
    llava.close();
  }

  @Test
  void encoding_adds_bos_and_splits_words_and_added_tokens() {
    TokenIds ids = llava.encode("USER: <image>\nWhat is shown? ASSISTANT:", SpecialTokens.INCLUDE);
    assertArrayEquals(new long[] {BOS, 10, 12, IMAGE, 13, 14, 15, 19, 11, 12}, ids.toArray());
    assertArrayEquals(new long[] {10, 12, IMAGE, 13, 14, 15, 19, 11, 12},
        llava.encode("USER: <image>\nWhat is shown? ASSISTANT:", SpecialTokens.EXCLUDE).toArray());
    assertEquals(List.of("a", "cat", "<image>", "dog"), llava.tokens("a cat<image>dog"));
    assertEquals(0, llava.encode("zebra", SpecialTokens.EXCLUDE).get(0), "unknown words map to <unk>");
  }

  @Test
  void decoding_keeps_or_skips_special_tokens() {
    TokenIds ids = TokenIds.of(BOS, 23, 25, 39, 27, 28, 29, 32, 2);
    assertEquals("<s> A cat sits on the mat . </s>", llava.decode(ids, SpecialTokens.INCLUDE));
    assertEquals("A cat sits on the mat .", llava.decode(ids, SpecialTokens.EXCLUDE));
  }

  @Test
  void special_tokens_have_ids_and_plain_words_are_not_confused_with_them() {
    assertEquals(IMAGE, llava.idOf("<image>").getAsLong());
    assertEquals(9, llava.idOf("<|eot_id|>").getAsLong());
    assertEquals(25, llava.idOf("cat").getAsLong());
    assertTrue(llava.idOf("two words").isEmpty());
  }

  @Test
  void image_tokens_are_expanded_to_each_images_feature_count() {
    PromptInputs p = llava.encodePrompt("USER: <image>\n<image>\nDescribe this picture. ASSISTANT:", "<image>", IMAGE,
        List.of(576, 2340));
    assertEquals(3 + 576 + 2340 + 6, p.length()); // BOS USER : [images] Describe this picture . ASSISTANT :
    assertEquals(2, p.imageSpans().size());
    assertEquals(new ImageSpan(0, 3, 576), p.imageSpans().get(0));
    assertEquals(new ImageSpan(1, 579, 2340), p.imageSpans().get(1));
    assertEquals(2916, p.imageTokenCount());
    assertEquals(2916, p.ids().count(IMAGE));
    int[] positions = p.imageTokenPositions();
    assertEquals(3, positions[0]);
    assertEquals(2918, positions[positions.length - 1]);
    assertEquals(30, p.ids().get(2919)); // "Describe" follows the last image token
    assertEquals(BOS, p.ids().get(0));
  }

  @Test
  void a_wrong_image_count_or_image_token_id_is_rejected() {
    InvalidInputException count = assertThrows(InvalidInputException.class,
        () -> llava.encodePrompt("USER: <image>\nWhat? ASSISTANT:", "<image>", IMAGE, List.of(576, 576)));
    assertTrue(count.getMessage().contains("holds 1 <image> tokens but 2 image feature counts"), count.getMessage());
    InvalidInputException id = assertThrows(InvalidInputException.class,
        () -> llava.encodePrompt("USER: <image>\nWhat? ASSISTANT:", "<image>", 32000, List.of(576)));
    assertTrue(id.getMessage().contains("id 32000") && id.getMessage().contains("tokenizer.json"), id.getMessage());
  }

  @Test
  void a_long_text_is_not_truncated() {
    String text = "a cat ".repeat(1500);
    assertEquals(3001, llava.encode(text, SpecialTokens.INCLUDE).length());
  }

  @Test
  void the_llava_plain_format_is_used_without_a_chat_template() {
    PromptFormat format = PromptFormat.forCheckpoint(resource("llava"));
    assertEquals(PromptFormat.LLAVA_PLAIN, format);
    assertEquals("USER: <image>\nWhat is shown? ASSISTANT:",
        format.render(List.of(ChatMessage.userWithImage("What is shown?")), GenerationPrompt.ADD));
    assertEquals("USER: <image>\nWhat is shown? ASSISTANT: A cat. USER: and this? ASSISTANT:",
        format.render(List.of(ChatMessage.userWithImage("What is shown?"), ChatMessage.assistant("A cat."),
            ChatMessage.user("and this?")), GenerationPrompt.ADD));
  }

  @Test
  void a_llama3_style_processor_template_renders_headers_image_and_eot() {
    PromptFormat format = PromptFormat.forCheckpoint(resource("llama3"));
    assertTrue(format instanceof PromptFormat.Templated t && t.template().style() == ChatTemplate.ContentStyle.PARTS);
    String text = format.render(List.of(ChatMessage.userWithImage("What is shown in this image?")), GenerationPrompt.ADD);
    assertEquals("<|start_header_id|>user<|end_header_id|>\n\n<image>\nWhat is shown in this image?<|eot_id|>"
        + "<|start_header_id|>assistant<|end_header_id|>\n\n", text);
    assertEquals("<|start_header_id|>user<|end_header_id|>\n\n<image>\nWhat is shown in this image?<|eot_id|>",
        format.render(List.of(ChatMessage.userWithImage("What is shown in this image?")), GenerationPrompt.OMIT));
    try (PromptTokenizer tok = PromptTokenizer.load(resource("llama3"))) {
      PromptInputs p = tok.encodePrompt(text, "<image>", IMAGE, List.of(52));
      assertEquals(6, p.ids().get(0), "the post-processor adds <|begin_of_text|> once");
      assertEquals(1, p.ids().count(6));
      assertArrayEquals(new long[] {6, 7, 20, 8}, java.util.Arrays.copyOf(p.ids().toArray(), 4));
      assertEquals(new ImageSpan(0, 4, 52), p.imageSpans().get(0));
      assertEquals(9, p.ids().get(4 + 52 + 7), "<|eot_id|> after 'What is shown in this image ?'");
    }
  }

  @Test
  void a_mistral_style_tokenizer_template_renders_inst_blocks_with_bos_and_enforces_alternation() {
    PromptFormat format = PromptFormat.forCheckpoint(resource("mistral"));
    assertTrue(format instanceof PromptFormat.Templated t && t.template().style() == ChatTemplate.ContentStyle.TEXT);
    String text = format.render(List.of(ChatMessage.userWithImage("What is shown?")), GenerationPrompt.ADD);
    assertEquals("<s>[INST] <image>\nWhat is shown? [/INST]", text);
    assertEquals("<s>[INST] <image>\nWhat is shown? [/INST] A cat.</s>[INST] and this? [/INST]",
        format.render(List.of(ChatMessage.userWithImage("What is shown?"), ChatMessage.assistant(" A cat. "),
            ChatMessage.user("and this?")), GenerationPrompt.ADD));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> format.render(List.of(ChatMessage.user("a"), ChatMessage.user("b")), GenerationPrompt.ADD));
    assertTrue(e.getMessage().contains("roles must alternate") && e.getMessage().contains("tokenizer_config.json"),
        e.getMessage());
    try (PromptTokenizer tok = PromptTokenizer.load(resource("mistral"))) {
      PromptInputs p = tok.encodePrompt(text, SpecialTokens.EXCLUDE, "<image>", IMAGE, List.of(40));
      assertEquals(1, p.ids().count(BOS), "the template's BOS only");
      assertArrayEquals(new long[] {BOS, 4, IMAGE}, java.util.Arrays.copyOf(p.ids().toArray(), 3));
      assertEquals(5, p.ids().get(p.length() - 1));
      assertEquals(2, tok.encodePrompt(text, "<image>", IMAGE, List.of(40)).ids().count(BOS),
          "INCLUDE on a template that writes BOS gives two, as HF's processor would");
    }
  }

  @Test
  void a_missing_or_invalid_tokenizer_file_names_the_file(@TempDir Path dir) throws IOException {
    CheckpointFormatException missing = assertThrows(CheckpointFormatException.class, () -> PromptTokenizer.load(dir));
    assertTrue(missing.getMessage().contains("tokenizer.json does not exist"), missing.getMessage());
    Path bad = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": 42}");
    CheckpointFormatException invalid = assertThrows(CheckpointFormatException.class, () -> PromptTokenizer.load(bad));
    assertTrue(invalid.getMessage().contains(bad.toString()), invalid.getMessage());
  }

  @Test
  void a_prompt_longer_than_the_context_is_rejected_with_the_numbers() {
    PromptInputs p = llava.encodePrompt("USER: <image>\nWhat is shown? ASSISTANT:", "<image>", IMAGE, List.of(2340));
    p.checkFitsContext(4096, 64);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> p.checkFitsContext(2048, 64));
    assertTrue(e.getMessage().contains("prompt (" + p.length() + " tokens, 2340 of them image tokens)")
        && e.getMessage().contains("max_new_tokens (64)") && e.getMessage().contains("2048 positions"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> ContextWindow.check(10, 0, -1, 100));
    ContextWindow.check(100, 0, 0, 100);
    assertThrows(InvalidInputException.class, () -> ContextWindow.check(100, 0, 1, 100));
  }

  @Test
  void words_outside_the_vocabulary_are_named_as_they_were_written() {
    assertEquals(java.util.List.of("zebra", "Quokka"), llava.unknownWords("What is shown? zebra and Quokka"));
    assertEquals(java.util.List.of(), llava.unknownWords("USER: <image>\nWhat is shown? ASSISTANT:"));
  }

  /** Found by fuzzing: these tokenizer.json files made the native library abort the JVM or throw its own errors. */
  @Test
  void a_corrupt_tokenizer_json_gets_a_checkpoint_error_not_a_jvm_abort(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var good = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(resource("mistral").resolve("tokenizer.json").toFile());
    // the post-processor template names <s>, which it no longer defines: the native encoder panicked and aborted
    var dangling = good.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) dangling.get("post_processor")).putObject("special_tokens");
    ((com.fasterxml.jackson.databind.node.ObjectNode) dangling.get("post_processor")).put("type", 123);
    java.nio.file.Files.createDirectories(dir.resolve("a"));
    json.writeValue(dir.resolve("a/tokenizer.json").toFile(), dangling);
    org.visualscratchpad.CheckpointFormatException e = org.junit.jupiter.api.Assertions.assertThrows(
        org.visualscratchpad.CheckpointFormatException.class, () -> PromptTokenizer.load(dir.resolve("a")));
    assertTrue(e.getMessage().contains("special token '<s>'"), e.getMessage());
    // the same with the piece written as an array [id, type_id], which the native reader also takes (found by the
    // 1,000,000-case fuzz run, seed 20261207: it aborted the JVM)
    var asArray = good.deepCopy();
    var single = (com.fasterxml.jackson.databind.node.ArrayNode) asArray.get("post_processor").get("single");
    single.set(0, json.createObjectNode().set("SpecialToken", json.createArrayNode().add("").add(490)));
    java.nio.file.Files.createDirectories(dir.resolve("c"));
    json.writeValue(dir.resolve("c/tokenizer.json").toFile(), asArray);
    org.visualscratchpad.CheckpointFormatException c = org.junit.jupiter.api.Assertions.assertThrows(
        org.visualscratchpad.CheckpointFormatException.class, () -> PromptTokenizer.load(dir.resolve("c")));
    assertTrue(c.getMessage().contains("special token ''"), c.getMessage());
    // the model names an unk token its vocabulary lacks: encoding an unknown word failed with a bare RuntimeException
    var missingUnk = good.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) missingUnk.get("model")).put("unk_token", "[UNK]");
    java.nio.file.Files.createDirectories(dir.resolve("b"));
    json.writeValue(dir.resolve("b/tokenizer.json").toFile(), missingUnk);
    try (PromptTokenizer t = PromptTokenizer.load(dir.resolve("b"))) {
      org.visualscratchpad.CheckpointFormatException u = org.junit.jupiter.api.Assertions.assertThrows(
          org.visualscratchpad.CheckpointFormatException.class, () -> t.encode("zebra", SpecialTokens.INCLUDE));
      assertTrue(u.getMessage().contains("tokenizer.json") && u.getMessage().contains("[UNK]"), u.getMessage());
    }
  }

  /**
   * Found by the 1,000,000-case fuzz run (seed 20261207): a decoder nested 200 levels deep made the native library's
   * JSON reader panic ("recursion limit exceeded"), which aborted the JVM.
   */
  @Test
  void a_tokenizer_json_nested_too_deep_is_refused_before_the_native_library_reads_it(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var good = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(resource("mistral").resolve("tokenizer.json").toFile());
    com.fasterxml.jackson.databind.node.ObjectNode decoder = json.createObjectNode().put("type", "Fuse");
    for (int i = 0; i < 200; i++) {
      com.fasterxml.jackson.databind.node.ObjectNode outer = json.createObjectNode().put("type", "Sequence");
      outer.putArray("decoders").add(decoder);
      decoder = outer;
    }
    good.set("decoder", decoder);
    java.nio.file.Files.writeString(dir.resolve("tokenizer.json"), json.writeValueAsString(good));
    org.visualscratchpad.CheckpointFormatException e = org.junit.jupiter.api.Assertions.assertThrows(
        org.visualscratchpad.CheckpointFormatException.class, () -> PromptTokenizer.load(dir));
    assertTrue(e.getMessage().contains("more than " + PromptTokenizer.MAX_NESTING + " levels deep"), e.getMessage());
    // the shipped tokenizers load as before
    try (PromptTokenizer t = PromptTokenizer.load(resource("mistral"))) {
      assertTrue(t.encode("hello", SpecialTokens.INCLUDE).length() > 0);
    }
  }
}
