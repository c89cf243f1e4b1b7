package org.visualscratchpad.torch.input.preprocess;

import org.visualscratchpad.InvalidInputException;

/**
 * A size in pixels, height first as Hugging Face writes it ({@code image_sizes}, pinpoints).
 *
 * <pre>{@code
 * jshell> new ImageSize(480, 640).area()
 * $1 ==> 307200
 * }</pre>
 *
 * @param height rows, &gt; 0
 * @param width columns, &gt; 0
 */
public record ImageSize(int height, int width) {
  public ImageSize {
    InvalidInputException.check(height > 0 && width > 0,
        "image size (%s x %s, h x w) must be positive", height, width);
  }

  /** {@code height * width}. */
  public long area() {
    return (long) height * width;
  }

  @Override
  public String toString() {
    return height + "x" + width + " (h x w)";
  }
}
