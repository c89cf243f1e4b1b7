package org.visualscratchpad.torch.input.prompt;

import org.visualscratchpad.InvalidInputException;

/**
 * The check that a prompt and the tokens to generate fit in the language model's context ({@code
 * max_position_embeddings}). Call it before any model work so an over-long prompt fails at once
 * with the numbers, not deep inside attention.
 *
 * <pre>{@code
 * jshell> ContextWindow.check(4000, 2340, 200, 4096)
 * |  Exception org.visualscratchpad.InvalidInputException: prompt (4000 tokens, 2340 of them image tokens) plus max_new_tokens (200) must fit in the context of 4096 positions (max_position_embeddings); it is 104 over. ...
 * }</pre>
 */
public final class ContextWindow {
  private ContextWindow() {}

  /**
   * Throws unless {@code promptTokens + maxNewTokens <= contextLength}.
   *
   * @param promptTokens prompt length after image expansion
   * @param imageTokens how many of those are image tokens (for the message)
   * @param maxNewTokens tokens generation may add (0 for a forward pass)
   * @param contextLength {@code max_position_embeddings} of the text config
   * @throws InvalidInputException if it does not fit, or a count is negative
   */
  public static void check(int promptTokens, int imageTokens, int maxNewTokens, int contextLength) {
    InvalidInputException.check(promptTokens > 0, "prompt length (%s) must be positive", promptTokens);
    InvalidInputException.check(imageTokens >= 0 && imageTokens <= promptTokens,
        "image token count (%s) must lie in [0, %s]", imageTokens, promptTokens);
    InvalidInputException.check(maxNewTokens >= 0, "max_new_tokens (%s) must not be negative", maxNewTokens);
    InvalidInputException.check(contextLength > 0, "context length (%s) must be positive", contextLength);
    long needed = (long) promptTokens + maxNewTokens;
    if (needed > contextLength) {
      throw new InvalidInputException(String.format(
          "prompt (%d tokens, %d of them image tokens) plus max_new_tokens (%d) must fit in the context of %d"
              + " positions (max_position_embeddings); it is %d over. Shorten the prompt, lower max_new_tokens,"
              + " or use a smaller image (LLaVA-NeXT's token count grows with the tile grid).",
          promptTokens, imageTokens, maxNewTokens, contextLength, needed - contextLength));
    }
  }
}
