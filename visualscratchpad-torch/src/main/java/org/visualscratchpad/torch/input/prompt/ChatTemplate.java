package org.visualscratchpad.torch.input.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.visualscratchpad.CheckpointFormatException;
import org.visualscratchpad.InvalidInputException;

/**
 * A checkpoint's Jinja {@code chat_template}, rendered with Jinjava the way HF's {@code
 * apply_chat_template} renders it with Jinja2 ({@code trim_blocks} and {@code lstrip_blocks} on, with
 * Jinja2's whitespace rules: tested against Jinja2 renderings; variables
 * {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}, the
 * function {@code raise_exception} and the {@code generation} block tag). Python string methods that Jinja templates call ({@code
 * .upper()}, {@code .lower()}, {@code .strip()}, {@code .title()}) are mapped to the equivalent
 * filters.
 *
 * <p>Two content styles: a processor template ({@code chat_template.json}) sees each message's
 * {@code content} as a list of {@code {"type": "image"}} / {@code {"type": "text", "text": ...}}
 * parts; a tokenizer template ({@code tokenizer_config.json}) sees a string, in which each image
 * becomes the image token and a newline.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var t = ChatTemplate.find(Path.of("llava-v1.6-mistral-7b-hf")).orElseThrow()
 * jshell> t.render(List.of(ChatMessage.userWithImage("What is shown?")), GenerationPrompt.ADD)
 * $2 ==> "[INST] <image>\nWhat is shown? [/INST]"
 * }</pre>
 */
public final class ChatTemplate {
  private static final Pattern PY_STRING_METHOD = Pattern.compile("\\.(upper|lower|strip|title|capitalize)\\(\\)");
  private static final Map<String, String> FILTER_FOR = Map.of(
      "upper", "upper", "lower", "lower", "strip", "trim", "title", "title", "capitalize", "capitalize");

  /** How message content reaches the template. */
  public enum ContentStyle {
    /** A list of typed parts: processor templates ({@code chat_template.json}). */
    PARTS,
    /** One string with {@code <image>\n} per image: tokenizer templates ({@code tokenizer_config.json}). */
    TEXT
  }

  /** Whether to end with the assistant's header, as {@code add_generation_prompt=True} does. */
  public enum GenerationPrompt {
    ADD,
    OMIT
  }

  private final String source;
  private final String compiled;
  private final ContentStyle style;
  private final String origin;
  private final Map<String, String> specialTokens;
  private final String imageToken;

  private ChatTemplate(String source, ContentStyle style, String origin, Map<String, String> specialTokens,
      String imageToken) {
    this.source = source;
    this.compiled = toJinjava(source);
    this.style = style;
    this.origin = origin;
    this.specialTokens = Map.copyOf(specialTokens);
    this.imageToken = imageToken;
  }

  /**
   * A template from its Jinja source.
   *
   * @param source the {@code chat_template} string
   * @param style how content is passed
   * @param specialTokens template variables such as {@code bos_token} and {@code eos_token}
   */
  public static ChatTemplate of(String source, ContentStyle style, Map<String, String> specialTokens) {
    InvalidInputException.check(source != null && !source.isBlank(), "chat template must not be empty");
    InvalidInputException.check(style != null, "content style must not be null");
    return new ChatTemplate(source, style, "chat template", specialTokens, "<image>");
  }

  /** This template with another image token string for {@link ContentStyle#TEXT} (default {@code <image>}). */
  public ChatTemplate withImageToken(String token) {
    InvalidInputException.check(token != null && !token.isEmpty(), "image token must not be empty");
    return new ChatTemplate(source, style, origin, specialTokens, token);
  }

  /**
   * The checkpoint's template: {@code chat_template.json} (processor style) if present, else the
   * {@code chat_template} of {@code tokenizer_config.json} (tokenizer style; a list of named
   * templates gives the one named {@code default}); {@code bos_token} and {@code eos_token} come
   * from {@code tokenizer_config.json}. Empty if neither file holds a template (LLaVA-1.5 exports
   * before 2024): use {@link PromptFormat#LLAVA_PLAIN} then.
   *
   * @throws CheckpointFormatException if a file exists but is not valid JSON or the template has the wrong type
   */
  public static Optional<ChatTemplate> find(Path modelDir) {
    Map<String, String> special = new HashMap<>();
    Path tokenizerConfig = modelDir.resolve("tokenizer_config.json");
    JsonNode tc = Files.isRegularFile(tokenizerConfig) ? readJson(tokenizerConfig) : null;
    if (tc != null) {
      for (String key : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
        JsonNode v = tc.get(key);
        if (v != null && v.isTextual()) {
          special.put(key, v.textValue());
        } else if (v != null && v.isObject() && v.path("content").isTextual()) {
          special.put(key, v.path("content").textValue());
        }
      }
    }
    Path chatTemplateJson = modelDir.resolve("chat_template.json");
    if (Files.isRegularFile(chatTemplateJson)) {
      JsonNode t = readJson(chatTemplateJson).get("chat_template");
      if (t == null || !t.isTextual()) {
        throw new CheckpointFormatException(chatTemplateJson, "field chat_template must be a string");
      }
      return Optional.of(new ChatTemplate(t.textValue(), ContentStyle.PARTS, chatTemplateJson.toString(), special, "<image>"));
    }
    if (tc != null && tc.has("chat_template")) {
      JsonNode t = tc.get("chat_template");
      String text = null;
      if (t.isTextual()) {
        text = t.textValue();
      } else if (t.isArray()) {
        for (JsonNode named : t) {
          if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
            text = named.path("template").textValue();
          }
        }
      }
      if (text == null) {
        throw new CheckpointFormatException(tokenizerConfig,
            "field chat_template must be a string or a list of {name, template} with one named default");
      }
      return Optional.of(new ChatTemplate(text, ContentStyle.TEXT, tokenizerConfig.toString(), special, "<image>"));
    }
    return Optional.empty();
  }

  private static JsonNode readJson(Path file) {
    try {
      JsonNode n = new ObjectMapper().readTree(file.toFile());
      if (n == null || !n.isObject()) {
        throw new CheckpointFormatException(file, "must hold a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "is not valid JSON: " + e.getMessage(), e);
    }
  }

  public ContentStyle style() {
    return style;
  }

  /** The template variables such as {@code bos_token}. */
  public Map<String, String> specialTokens() {
    return specialTokens;
  }

  /**
   * The prompt text for {@code messages}.
   *
   * @throws InvalidInputException if the template raises an exception (e.g. roles that do not
   *     alternate) or fails to render; the message names the template's file
   */
  public String render(List<ChatMessage> messages, GenerationPrompt generationPrompt) {
    InvalidInputException.check(messages != null && !messages.isEmpty(), "messages must not be empty");
    List<Map<String, Object>> values = new ArrayList<>();
    for (ChatMessage m : messages) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("role", m.role());
      if (style == ContentStyle.PARTS) {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (ChatContent c : m.content()) {
          parts.add(c.toTemplateValue());
        }
        v.put("content", parts);
      } else {
        StringBuilder sb = new StringBuilder();
        for (ChatContent c : m.content()) {
          sb.append(c instanceof ChatContent.Text t ? t.text() : imageToken + "\n");
        }
        v.put("content", sb.toString());
      }
      values.add(v);
    }
    Map<String, Object> context = new HashMap<>(specialTokens);
    context.put("messages", values);
    context.put("add_generation_prompt", generationPrompt == GenerationPrompt.ADD);
    RenderResult result;
    try {
      result = ENGINE.renderForResult(compiled, context);
    } catch (RuntimeException e) {
      throw new InvalidInputException("chat template of " + origin + " failed: " + rootMessage(e), e);
    }
    for (TemplateError error : result.getErrors()) {
      if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
        String detail = error.getMessage();
        for (Throwable t = error.getException(); t != null; t = t.getCause() == t ? null : t.getCause()) {
          if (t instanceof InvalidInputException) {
            detail = t.getMessage();
          }
        }
        throw new InvalidInputException("chat template of " + origin + " failed at line " + error.getLineno() + ": "
            + detail, error.getException());
      }
    }
    return result.getOutput();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  /** One engine for all templates: Jinjava renders concurrently from a shared instance. */
  private static final Jinjava ENGINE = engine();

  private static Jinjava engine() {
    JinjavaConfig config = JinjavaConfig.newBuilder()
        .withTrimBlocks(true)
        // lstrip_blocks is applied to the source by toJinjava: Jinjava's also strips the space after
        // text on the same line ("USER: {% else %}" rendered "USER:"), where Jinja2 keeps it
        .withLstripBlocks(false)
        // a value is data, as in Jinja2: without this, Jinjava renders "{{ 7 * 7 }}" typed in a prompt as "49"
        // (and would run any tag or function a prompt holds)
        .withNestedInterpretationEnabled(false)
        .withLegacyOverrides(LegacyOverrides.newBuilder()
            .withUsePyishObjectMapper(true)
            .withUseNaturalOperatorPrecedence(true)
            .withParseWhitespaceControlStrictly(true)
            .withKeepNullableLoopValues(true)
            .build())
        .build();
    Jinjava jinjava = new Jinjava(config);
    jinjava.getGlobalContext().registerTag(new GenerationTag());
    try {
      jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
          ChatTemplate.class.getDeclaredMethod("raiseException", String.class)));
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
    return jinjava;
  }

  /** {@code raise_exception(message)} inside a template. */
  public static String raiseException(String message) {
    throw new InvalidInputException("the chat template rejected the messages: " + message);
  }

  /**
   * Jinja2's {@code lstrip_blocks}: spaces and tabs between the start of a line and a block or comment
   * tag are removed, unless the tag opens with {@code +} ({@code {%+ ... %}}).
   */
  private static final Pattern LSTRIP_BLOCKS = Pattern.compile("(?m)^[ \\t]+(?=\\{[%#](?!\\+))");

  /** Rewrites Python string method calls into Jinja filters and applies Jinja2's {@code lstrip_blocks}. */
  static String toJinjava(String template) {
    template = LSTRIP_BLOCKS.matcher(template).replaceAll("").replace("{%+", "{%").replace("{#+", "{#");
    Matcher m = PY_STRING_METHOD.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement("|" + FILTER_FOR.get(m.group(1))));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  @Override
  public String toString() {
    return "ChatTemplate[" + origin + ", " + style + ", " + source.length() + " chars]";
  }
}
