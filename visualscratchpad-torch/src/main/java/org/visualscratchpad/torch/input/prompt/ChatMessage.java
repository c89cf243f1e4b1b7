package org.visualscratchpad.torch.input.prompt;

import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * One turn of a conversation, as HF processors' {@code apply_chat_template} takes it: a role
 * ({@code user}, {@code assistant}, {@code system}) and a list of text and image parts.
 *
 * <pre>{@code
 * jshell> ChatMessage.userWithImage("What is shown in this image?")
 * $1 ==> ChatMessage[role=user, content=[Image[], Text[text=What is shown in this image?]]]
 * }</pre>
 *
 * @param role the speaker, non-empty
 * @param content the parts in order
 */
public record ChatMessage(String role, List<ChatContent> content) {
  public ChatMessage {
    InvalidInputException.check(role != null && !role.isBlank(), "message role (%s) must not be empty", role);
    content = List.copyOf(content);
  }

  /** A user turn with one image followed by {@code text}: the usual LLaVA question. */
  public static ChatMessage userWithImage(String text) {
    return new ChatMessage("user", List.of(new ChatContent.Image(), new ChatContent.Text(text)));
  }

  /** A user turn with text only. */
  public static ChatMessage user(String text) {
    return new ChatMessage("user", List.of(new ChatContent.Text(text)));
  }

  /** An assistant turn. */
  public static ChatMessage assistant(String text) {
    return new ChatMessage("assistant", List.of(new ChatContent.Text(text)));
  }

  /** A system turn. */
  public static ChatMessage system(String text) {
    return new ChatMessage("system", List.of(new ChatContent.Text(text)));
  }

  /** Number of image parts. */
  public int imageCount() {
    int n = 0;
    for (ChatContent c : content) {
      n += c instanceof ChatContent.Image ? 1 : 0;
    }
    return n;
  }
}
