package org.visualscratchpad.torch.input.prompt;

import java.nio.file.Path;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.prompt.ChatTemplate.GenerationPrompt;

/**
 * How a conversation becomes prompt text: the checkpoint's chat template, or LLaVA-1.5's plain
 * format when the checkpoint has none ({@code "USER: <image>\nWhat is shown? ASSISTANT:"}).
 *
 * <pre>{@code
 * jshell> PromptFormat.LLAVA_PLAIN.render(List.of(ChatMessage.userWithImage("What is shown?")), GenerationPrompt.ADD)
 * $1 ==> "USER: <image>\nWhat is shown? ASSISTANT:"
 * jshell> PromptFormat.forCheckpoint(Path.of("llava-v1.6-mistral-7b-hf"))
 * $2 ==> Templated[template=ChatTemplate[.../chat_template.json, PARTS, 470 chars]]
 * }</pre>
 */
public sealed interface PromptFormat {

  /** LLaVA-1.5's format: {@code ROLE: } (system turns unlabelled), one {@code <image>\n} per image, each text plus a space; {@code ASSISTANT:} to generate. */
  PromptFormat LLAVA_PLAIN = new LlavaPlain();

  /** The prompt text for {@code messages}. */
  String render(List<ChatMessage> messages, GenerationPrompt generationPrompt);

  /** The checkpoint's chat template if it has one (see {@link ChatTemplate#find}), else {@link #LLAVA_PLAIN}. */
  static PromptFormat forCheckpoint(Path modelDir) {
    return ChatTemplate.find(modelDir).<PromptFormat>map(Templated::new).orElse(LLAVA_PLAIN);
  }

  /**
   * A chat template.
   *
   * @param template the template
   */
  record Templated(ChatTemplate template) implements PromptFormat {
    public Templated {
      InvalidInputException.check(template != null, "template must not be null");
    }

    @Override
    public String render(List<ChatMessage> messages, GenerationPrompt generationPrompt) {
      return template.render(messages, generationPrompt);
    }
  }

  /** LLaVA-1.5's plain format. */
  record LlavaPlain() implements PromptFormat {
    @Override
    public String render(List<ChatMessage> messages, GenerationPrompt generationPrompt) {
      InvalidInputException.check(messages != null && !messages.isEmpty(), "messages must not be empty");
      StringBuilder sb = new StringBuilder();
      for (ChatMessage m : messages) {
        if (!"system".equals(m.role())) {
          sb.append(m.role().toUpperCase(java.util.Locale.ROOT)).append(": ");
        }
        for (ChatContent c : m.content()) {
          if (c instanceof ChatContent.Image) {
            sb.append("<image>\n");
          }
        }
        for (ChatContent c : m.content()) {
          if (c instanceof ChatContent.Text t) {
            sb.append(t.text()).append(' ');
          }
        }
      }
      if (generationPrompt == GenerationPrompt.ADD) {
        sb.append("ASSISTANT:");
      }
      return sb.toString();
    }
  }
}
