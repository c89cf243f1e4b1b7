package org.visualscratchpad.torch.input.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.prompt.ChatTemplate.ContentStyle;
import org.visualscratchpad.torch.input.prompt.ChatTemplate.GenerationPrompt;

class ChatTemplateTest {

  @Test
  void a_llava_15_style_template_with_upper_selectattr_and_generation_blocks_renders_the_plain_prompt() {
    String source = "{% for message in messages %}{% if message['role'] != 'system' %}{{ message['role'].upper() + ': ' }}"
        + "{% endif %}{% for part in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\\n' }}"
        + "{% endfor %}{% for part in message['content'] | selectattr('type', 'equalto', 'text') %}"
        + "{% if message['role'] == 'assistant' %}{% generation %}{{ part['text'] + ' ' }}{% endgeneration %}"
        + "{% else %}{{ part['text'] + ' ' }}{% endif %}{% endfor %}{% endfor %}"
        + "{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}";
    ChatTemplate t = ChatTemplate.of(source, ContentStyle.PARTS, Map.of());
    List<ChatMessage> conversation = List.of(ChatMessage.userWithImage("What is shown?"), ChatMessage.assistant("A cat."),
        ChatMessage.user("Which colour?"));
    String expected = PromptFormat.LLAVA_PLAIN.render(conversation, GenerationPrompt.ADD);
    assertEquals(expected, t.render(conversation, GenerationPrompt.ADD));
    assertEquals("USER: <image>\nWhat is shown? ASSISTANT: A cat. USER: Which colour? ASSISTANT:", expected);
  }

  @Test
  void whitespace_control_trim_blocks_and_string_tests_behave_as_in_hf() {
    String source = "{%- for message in messages -%}\n"
        + "{%- if message['content'] is string -%}\n"
        + "[{{ message['role'] }}] {{ message['content'] | trim }}\n"
        + "{%- endif %}\n"
        + "{% endfor %}\n"
        + "{% if add_generation_prompt %}\n[assistant]{% endif %}";
    ChatTemplate t = ChatTemplate.of(source, ContentStyle.TEXT, Map.of());
    // Jinja2 with trim_blocks and lstrip_blocks: every newline here is removed by '-' or trim_blocks.
    assertEquals("[system] Be brief.[user] <image>\nHi[assistant]",
        t.render(List.of(ChatMessage.system(" Be brief. "), ChatMessage.userWithImage("Hi")), GenerationPrompt.ADD));
    assertEquals("[user] [img]\nHi", t.withImageToken("[img]").render(List.of(ChatMessage.userWithImage("Hi")),
        GenerationPrompt.OMIT));
  }

  @Test
  void a_template_that_cannot_render_fails_with_its_origin() {
    ChatTemplate t = ChatTemplate.of("{{ raise_exception('no system role') }}", ContentStyle.PARTS, Map.of());
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> t.render(List.of(ChatMessage.user("x")), GenerationPrompt.ADD));
    assertTrue(e.getMessage().contains("no system role"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> ChatTemplate.of(" ", ContentStyle.TEXT, Map.of()));
  }

  @Test
  void chat_template_json_wins_over_tokenizer_config_and_malformed_files_name_themselves(@TempDir Path dir)
      throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"),
        "{\"bos_token\": \"<s>\", \"chat_template\": [{\"name\": \"default\", \"template\": \"{{ bos_token }}T\"},"
            + " {\"name\": \"tool_use\", \"template\": \"X\"}]}");
    ChatTemplate fromTokenizer = ChatTemplate.find(dir).orElseThrow();
    assertEquals(ContentStyle.TEXT, fromTokenizer.style());
    assertEquals("<s>T", fromTokenizer.render(List.of(ChatMessage.user("x")), GenerationPrompt.ADD));
    Files.writeString(dir.resolve("chat_template.json"), "{\"chat_template\": \"P{{ bos_token }}\"}");
    ChatTemplate fromProcessor = ChatTemplate.find(dir).orElseThrow();
    assertEquals(ContentStyle.PARTS, fromProcessor.style());
    assertEquals("P<s>", fromProcessor.render(List.of(ChatMessage.user("x")), GenerationPrompt.ADD));
    Files.writeString(dir.resolve("chat_template.json"), "{\"chat_template\": 7}");
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ChatTemplate.find(dir));
    assertTrue(e.getMessage().contains("chat_template.json") && e.getMessage().contains("must be a string"),
        e.getMessage());
    Files.writeString(dir.resolve("chat_template.json"), "{not json");
    assertThrows(CheckpointFormatException.class, () -> ChatTemplate.find(dir));
  }

  /**
   * Whitespace next to block tags as Python's Jinja2 renders it with HF's settings ({@code
   * trim_blocks=True, lstrip_blocks=True}): lstrip only removes spaces and tabs between the start of
   * a line and a tag, never the space after text ({@code USER: {% else %}} keeps its space). The
   * expected strings are Jinja2 3.1.6's renderings (messages: user "hi", assistant "yo").
   */
  @Test
  void whitespace_before_block_tags_renders_as_jinja2_renders_it() {
    String[][] cases = {
        {"{% for m in messages %}{% if m['role'] == 'user' %}USER: {% else %}ASSISTANT: {% endif %}{{ m['content'] }}\n{% endfor %}",
         "USER: hi\nASSISTANT: yo\n"},
        {"{% for m in messages %}\n  {% if m['role'] == 'user' %}\n    USER: {{ m['content'] }} {% endif %}\n{% endfor %}",
         "    USER: hi "},
        {"A {% if true %} B {% endif %} C\n\t{% if true %}\nD\n\t{%+ if true %}E{% endif %}\n{% endif %}",
         "A  B  C\nD\n\tE"},
        {"x {# comment #} y\n   {# own line #}\nz",
         "x  y\nz"},
        {"{{ 'a' }} {%- if true %} b{% endif %}  {% if true -%}  c {% endif %}",
         "a b  c "},
    };
    for (String[] c : cases) {
      ChatTemplate t = ChatTemplate.of(c[0], ContentStyle.TEXT, Map.of());
      assertEquals(c[1], t.render(List.of(ChatMessage.user("hi"), ChatMessage.assistant("yo")),
          ChatTemplate.GenerationPrompt.OMIT), c[0]);
    }
  }

  @Test
  void message_text_is_data_never_template_code_as_in_jinja2() {
    String source = "{% for message in messages %}[{{ message['role'] }}] {{ message['content'] }}\n{% endfor %}";
    ChatTemplate t = ChatTemplate.of(source, ContentStyle.TEXT, Map.of());
    for (String text : List.of("{{ 7 * 7 }}", "{% for x in y %}{{ x }}{% endfor %}", "{% for %}", "{{ raise_exception('x') }}",
        "{# a comment #} and {{", "{{ messages }}")) {
      assertEquals("[user] " + text + "\n", t.render(List.of(ChatMessage.user(text)), GenerationPrompt.OMIT), text);
    }
  }
}
