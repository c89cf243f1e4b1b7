package org.visualscratchpad.torch.input.prompt;

import org.visualscratchpad.InvalidInputException;

/**
 * Where one image's tokens sit in a prompt: positions {@code [start, start + length)}, all holding
 * the image token id. Token {@code start + k} carries packed image feature {@code k} (see {@link
 * org.visualscratchpad.torch.input.layout.ImageFeatureLayout#tokens()}).
 *
 * <pre>{@code
 * jshell> new ImageSpan(0, 5, 576).end()
 * $1 ==> 581
 * }</pre>
 *
 * @param image the image's index in the prompt (0 for the first {@code <image>})
 * @param start the first position
 * @param length the number of image tokens
 */
public record ImageSpan(int image, int start, int length) {
  public ImageSpan {
    InvalidInputException.check(image >= 0 && start >= 0 && length > 0,
        "image span (image %s, start %s, length %s) must have non-negative indices and a positive length",
        image, start, length);
  }

  /** One past the last position. */
  public int end() {
    return start + length;
  }
}
