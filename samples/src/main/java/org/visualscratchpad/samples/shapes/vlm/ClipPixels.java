package org.visualscratchpad.samples.shapes.vlm;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.samples.shapes.RgbImage;

/**
 * CLIPImageProcessor's rescale and normalise steps for images already at the model's size (resize and
 * centre crop are then identities): {@code v = float32(u8 * (1/255))}, {@code (v - mean) / std} per channel,
 * laid out {@code [3, H, W]}.
 *
 * <pre>{@code
 * jshell> ClipPixels.normalise(scene.image()).length
 * $1 ==> 12288
 * }</pre>
 */
public final class ClipPixels {
  /** OPENAI_CLIP_MEAN. */
  public static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};
  /** OPENAI_CLIP_STD. */
  public static final double[] STD = {0.26862954, 0.26130258, 0.27577711};

  private ClipPixels() {}

  /** {@code [3, H, W]} normalised pixel values of {@code image}. */
  public static float[] normalise(RgbImage image) {
    int w = image.width();
    int h = image.height();
    float[] out = new float[3 * h * w];
    for (int c = 0; c < 3; c++) {
      float mean = (float) MEAN[c];
      float std = (float) STD[c];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          float v = (float) (image.get(x, y, c) * (1.0 / 255.0));
          out[(c * h + y) * w + x] = (v - mean) / std;
        }
      }
    }
    return out;
  }

  /** {@code [B, 3, H, W]} pixel values of several images of one size, flattened. */
  public static float[] normalise(java.util.List<RgbImage> images) {
    InvalidInputException.check(!images.isEmpty(), "image list must not be empty");
    int each = 3 * images.get(0).width() * images.get(0).height();
    float[] out = new float[each * images.size()];
    for (int i = 0; i < images.size(); i++) {
      float[] one = normalise(images.get(i));
      InvalidInputException.check(one.length == each, "image %s has another size than image 0", i);
      System.arraycopy(one, 0, out, i * each, each);
    }
    return out;
  }
}
