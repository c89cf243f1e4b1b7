package org.visualscratchpad.vision;

import org.visualscratchpad.InvalidInputException;

/**
 * A rectangle in the original image's pixels: {@code [x, x + width) x [y, y + height)}.
 *
 * @param x left edge
 * @param y top edge
 * @param width width, &gt;= 0
 * @param height height, &gt;= 0
 */
public record PixelBox(int x, int y, int width, int height) {
  public PixelBox {
    InvalidInputException.check(width >= 0 && height >= 0, "pixel box size (%s x %s) must not be negative", width, height);
  }

  /** The box's area in pixels. */
  public long area() {
    return (long) width * height;
  }
}
