package org.visualscratchpad.torch.input.prompt;

import org.visualscratchpad.InvalidInputException;

/**
 * One part of a chat message: text, or an image placeholder (rendered by the chat template as the
 * checkpoint's {@code <image>} token).
 *
 * <pre>{@code
 * jshell> new ChatContent.Text("What is shown?")
 * $1 ==> Text[text=What is shown?]
 * }</pre>
 */
public sealed interface ChatContent {

  /** The part as the template sees it ({@code {"type": "text", "text": ...}} or {@code {"type": "image"}}). */
  java.util.Map<String, Object> toTemplateValue();

  /**
   * Text.
   *
   * @param text the text, not null
   */
  record Text(String text) implements ChatContent {
    public Text {
      InvalidInputException.check(text != null, "message text must not be null");
    }

    @Override
    public java.util.Map<String, Object> toTemplateValue() {
      return java.util.Map.of("type", "text", "text", text);
    }
  }

  /** An image placeholder. */
  record Image() implements ChatContent {
    @Override
    public java.util.Map<String, Object> toTemplateValue() {
      return java.util.Map.of("type", "image");
    }
  }
}
