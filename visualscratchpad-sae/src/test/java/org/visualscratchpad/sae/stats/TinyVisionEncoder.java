package org.visualscratchpad.sae.stats;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.vision.VisionEncoder;

/**
 * A test-only vision encoder: resizes to 16 x 16, cuts 4 x 4 patches, and maps each patch's mean
 * RGB through a fixed random projection (different per layer) to a {@code hiddenSize} vector; CLS
 * is the mean of the patches. Images wider than tall give two crops (left and right halves).
 */
public final class TinyVisionEncoder implements VisionEncoder {
  private final int hidden;
  private final float[][] projection; // [layer][3 * hidden]

  public TinyVisionEncoder(int hidden, long seed) {
    this.hidden = hidden;
    SplittableRandom rnd = new SplittableRandom(seed);
    projection = new float[numLayers()][3 * hidden];
    for (float[] p : projection) {
      for (int i = 0; i < p.length; i++) {
        p[i] = (float) (rnd.nextDouble() * 2 - 1);
      }
    }
  }

  @Override
  public int numLayers() {
    return 4;
  }

  @Override
  public int hiddenSize() {
    return hidden;
  }

  @Override
  public int imageSize() {
    return 16;
  }

  @Override
  public int patchSize() {
    return 4;
  }

  @Override
  public List<FloatMatrix> residualStream(BufferedImage image, HookPoint hook) {
    InvalidInputException.check(hook.layer() < numLayers(), "hook %s lies beyond %s layers", hook, numLayers());
    List<FloatMatrix> crops = new ArrayList<>();
    if (image.getWidth() > image.getHeight()) {
      int half = image.getWidth() / 2;
      crops.add(crop(image.getSubimage(0, 0, half, image.getHeight()), hook.layer()));
      crops.add(crop(image.getSubimage(half, 0, image.getWidth() - half, image.getHeight()), hook.layer()));
    } else {
      crops.add(crop(image, hook.layer()));
    }
    return crops;
  }

  private FloatMatrix crop(BufferedImage image, int layer) {
    int grid = gridSize();
    float[] out = new float[tokensPerCrop() * hidden];
    for (int py = 0; py < grid; py++) {
      for (int px = 0; px < grid; px++) {
        double[] rgb = new double[3];
        int n = 0;
        for (int y = 0; y < patchSize(); y++) {
          for (int x = 0; x < patchSize(); x++) {
            int sx = (px * patchSize() + x) * image.getWidth() / imageSize();
            int sy = (py * patchSize() + y) * image.getHeight() / imageSize();
            int argb = image.getRGB(sx, sy);
            rgb[0] += ((argb >> 16) & 255) / 255.0;
            rgb[1] += ((argb >> 8) & 255) / 255.0;
            rgb[2] += (argb & 255) / 255.0;
            n++;
          }
        }
        int row = 1 + py * grid + px;
        for (int h = 0; h < hidden; h++) {
          double v = 0;
          for (int c = 0; c < 3; c++) {
            v += rgb[c] / n * projection[layer][c * hidden + h];
          }
          out[row * hidden + h] = (float) v;
          out[h] += (float) (v / (grid * grid));
        }
      }
    }
    return FloatMatrix.adopt(tokensPerCrop(), hidden, out);
  }
}
