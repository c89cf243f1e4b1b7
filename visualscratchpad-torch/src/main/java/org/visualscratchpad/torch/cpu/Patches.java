package org.visualscratchpad.torch.cpu;

import org.visualscratchpad.InvalidInputException;

/**
 * A patch embedding's convolution (kernel = stride = patch) as a matrix product: the pixels of each patch laid out
 * as one row, in the order of the convolution's weight ({@code [channel][y][x]}), patches in raster order. CLIP's
 * and SigLIP's towers share it.
 */
public final class Patches {
  private Patches() {}

  /**
   * The rows of {@code crops} square crops.
   *
   * @param pixels {@code [crops, channels, size, size]}, row-major
   * @return {@code [crops * (size / patch)^2, channels * patch * patch]}
   * @throws InvalidInputException if {@code pixels} does not hold that many values
   */
  public static float[] unfold(float[] pixels, int crops, int channels, int size, int patch) {
    int c = channels;
    int s = size;
    int ps = patch;
    int p = s / ps;
    int pl = c * ps * ps;
    InvalidInputException.check(pixels.length == (long) crops * c * s * s,
        "pixel values hold %s values; %s crops of [%s, %s, %s] need %s", pixels.length, crops, c, s, s,
        (long) crops * c * s * s);
    float[] patches = new float[Math.multiplyExact(crops * p * p, pl)];
    for (int n = 0; n < crops; n++) {
      for (int gy = 0; gy < p; gy++) {
        for (int gx = 0; gx < p; gx++) {
          int row = (n * p * p + gy * p + gx) * pl;
          int at = 0;
          for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < ps; y++) {
              int src = ((n * c + ch) * s + gy * ps + y) * s + gx * ps;
              System.arraycopy(pixels, src, patches, row + at, ps);
              at += ps;
            }
          }
        }
      }
    }
    return patches;
  }
}
