package org.visualscratchpad.torch.input.preprocess;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * One preprocessed crop as the vision tower takes it: float pixel values {@code [3 x H x W]}
 * (channel-first, RGB), already rescaled and normalised; one element of HF's {@code pixel_values}.
 *
 * <p>Stored as a {@code [3 x (H * W)]} {@link FloatMatrix}: row {@code c} holds channel {@code c}
 * row-major, so {@link #toArray()} is exactly the CHW buffer a {@code [1, 3, H, W]} tensor needs.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var crop = ClipImageProcessor.of(PreprocessorConfig.clip(336)).preprocess(RgbImage.filled(480, 640, 0, 0, 0)).crops().get(0)
 * crop ==> PixelValues[3 x 336 x 336] ...
 * jshell> crop.get(0, 0, 0)   // (0 - 0.48145466) / 0.26862954
 * $2 ==> -1.7922626
 * }</pre>
 *
 * @param height crop rows
 * @param width crop columns
 * @param channels {@code [3 x (height * width)]}
 */
public record PixelValues(int height, int width, FloatMatrix channels) {
  public PixelValues {
    InvalidInputException.check(height > 0 && width > 0, "crop size (%s x %s) must be positive", height, width);
    InvalidInputException.check(channels.rows() == 3 && channels.cols() == height * width,
        "pixel values must be [3 x %s] for a %s x %s crop; got [%s x %s]",
        height * width, height, width, channels.rows(), channels.cols());
  }

  /** The value of channel {@code channel} at {@code (y, x)}. */
  public float get(int channel, int y, int x) {
    if (y < 0 || y >= height || x < 0 || x >= width) {
      throw new IndexOutOfBoundsException("(" + y + ", " + x + ") is outside a " + height + " x " + width + " crop");
    }
    return channels.get(channel, y * width + x);
  }

  /** A copy of the values, CHW order, length {@code 3 * height * width}. */
  public float[] toArray() {
    return channels.toArray();
  }

  /** Copies the CHW values into {@code dst} at {@code offset} (to fill a batch tensor). */
  public void copyInto(float[] dst, int offset) {
    channels.copyInto(dst, offset);
  }

  /** Number of floats: {@code 3 * height * width}. */
  public int size() {
    return 3 * height * width;
  }

  @Override
  public String toString() {
    return "PixelValues[3 x " + height + " x " + width + "] " + channels;
  }
}
