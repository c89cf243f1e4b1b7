package org.visualscratchpad.torch.input.prompt;

import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * A tokenized prompt ready for the language model: {@code input_ids} with every {@code <image>}
 * expanded to its image's feature count, and where each image's block lies.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var p = tokenizer.encodePrompt("USER: <image>\nWhat is shown? ASSISTANT:", 32000, List.of(576))
 * p ==> PromptInputs[TokenIds[589] [1, 3148, 1001, 29901, 29871, 32000, 32000, ...], images [ImageSpan[image=0, start=5, length=576]]]
 * jshell> p.checkFitsContext(4096, 64)   // throws if 589 + 64 > 4096
 * }</pre>
 *
 * @param ids the token ids
 * @param imageSpans one span per image, in order
 * @param imageTokenId the id the image positions hold
 */
public record PromptInputs(TokenIds ids, List<ImageSpan> imageSpans, long imageTokenId) {
  public PromptInputs {
    InvalidInputException.check(ids != null, "ids must not be null");
    imageSpans = List.copyOf(imageSpans);
    int total = 0;
    int previousEnd = 0;
    for (ImageSpan s : imageSpans) {
      InvalidInputException.check(s.start() >= previousEnd && s.end() <= ids.length(),
          "image span %s must follow the previous one and lie within the %s tokens", s, ids.length());
      for (int position = s.start(); position < s.end(); position++) {
        InvalidInputException.check(ids.get(position) == imageTokenId,
            "token %s (%s) inside %s must be the image token %s", position, ids.get(position), s, imageTokenId);
      }
      previousEnd = s.end();
      total += s.length();
    }
    InvalidInputException.check(ids.count(imageTokenId) == total,
        "the prompt holds %s image tokens (id %s) but the image spans cover %s", ids.count(imageTokenId),
        imageTokenId, total);
  }

  /** Number of tokens. */
  public int length() {
    return ids.length();
  }

  /** Number of image tokens over all images. */
  public int imageTokenCount() {
    int n = 0;
    for (ImageSpan s : imageSpans) {
      n += s.length();
    }
    return n;
  }

  /** Every image token's position, ascending. */
  public int[] imageTokenPositions() {
    int[] out = new int[imageTokenCount()];
    int k = 0;
    for (ImageSpan s : imageSpans) {
      for (int position = s.start(); position < s.end(); position++) {
        out[k++] = position;
      }
    }
    return out;
  }

  /**
   * Throws unless this prompt plus {@code maxNewTokens} generated tokens fits in a context of
   * {@code contextLength} positions ({@code max_position_embeddings}).
   *
   * @throws InvalidInputException naming the lengths and how to fix it
   */
  public void checkFitsContext(int contextLength, int maxNewTokens) {
    ContextWindow.check(length(), imageTokenCount(), maxNewTokens, contextLength);
  }

  @Override
  public String toString() {
    return "PromptInputs[" + ids + ", images " + imageSpans + "]";
  }
}
