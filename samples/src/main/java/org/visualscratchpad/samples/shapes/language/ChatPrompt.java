package org.visualscratchpad.samples.shapes.language;

import org.visualscratchpad.InvalidInputException;

/**
 * The LLaVA-1.5-like chat format of the ShapesWorld model: {@code "USER: <image>\n{question} ASSISTANT:"},
 * and the expansion of the one {@code <image>} placeholder into one token per image feature, as Hugging
 * Face's {@code LlavaProcessor} does before tokenizing.
 *
 * <pre>{@code
 * jshell> ChatPrompt.render("how many objects are there ?")
 * $1 ==> "USER: <image>\nhow many objects are there ? ASSISTANT:"
 * }</pre>
 */
public final class ChatPrompt {
  /** The image placeholder token. */
  public static final String IMAGE_TOKEN = "<image>";

  /**
   * The Jinja chat template written into {@code tokenizer_config.json} and {@code chat_template.json}
   * (messages with typed content, as llava-hf's templates take them).
   */
  public static final String TEMPLATE =
      "{% for message in messages %}"
          + "{% if message['role'] == 'user' %}USER: {% else %}ASSISTANT: {% endif %}"
          + "{% if message['content'] is string %}{{ message['content'] }}{% else %}"
          + "{% for content in message['content'] %}"
          + "{% if content['type'] == 'image' %}<image>\n{% elif content['type'] == 'text' %}{{ content['text'] }}{% endif %}"
          + "{% endfor %}{% endif %}"
          + "{% if message['role'] == 'user' %} {% else %}</s>{% endif %}"
          + "{% endfor %}"
          + "{% if add_generation_prompt %}ASSISTANT:{% endif %}";

  private ChatPrompt() {}

  /** The prompt for one user turn with one image and {@code question}, ending in the generation prompt. */
  public static String render(String question) {
    return "USER: " + IMAGE_TOKEN + "\n" + question + " ASSISTANT:";
  }

  /**
   * {@code text} with every {@code <image>} replaced by {@code imageTokens} copies (what the processor
   * feeds the tokenizer).
   *
   * @throws InvalidInputException if {@code imageTokens} is not positive
   */
  public static String expandImageTokens(String text, int imageTokens) {
    InvalidInputException.check(imageTokens > 0, "image token count (%s) must be positive", imageTokens);
    return text.replace(IMAGE_TOKEN, IMAGE_TOKEN.repeat(imageTokens));
  }
}
