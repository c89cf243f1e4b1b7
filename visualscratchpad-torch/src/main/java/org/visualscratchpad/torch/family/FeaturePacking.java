package org.visualscratchpad.torch.family;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.layout.PackedImageToken;
import org.visualscratchpad.torch.trace.DenseTensor;
import org.visualscratchpad.torch.trace.Trace;

/**
 * Packs projected per-crop features into the prompt's image tokens by each image's {@link ImageFeatureLayout}
 * (Hugging Face's {@code pack_image_features}): a patch token copies its row, a newline the learned {@code
 * image_newline}, a mixed token sums its rows with its weights. Shared by the families so that the model packs
 * exactly as the input pipeline laid the tokens out.
 */
public final class FeaturePacking {
  private FeaturePacking() {}

  /**
   * @param layouts each image's layout, in prompt order
   * @param projected {@code [crops * featuresPerCrop, d]}: every image's crops in order
   * @param featuresPerCrop feature rows of one crop (the layouts' {@code featureRow} unit)
   * @param newline the {@code image_newline} vector {@code [d]}, or null if the layouts have no newline
   * @param d feature width
   * @param trace receives {@code packed_image_features}, {@code packed_feature_lens} and {@code image_features}, or null
   */
  public static ImageFeatures pack(List<ImageFeatureLayout> layouts, float[] projected, int featuresPerCrop,
      float[] newline, int d, Trace trace) {
    int count = 0;
    for (ImageFeatureLayout l : layouts) {
      count += l.tokenCount();
    }
    float[] out = new float[count * d];
    boolean[] noPatch = new boolean[count];
    int k = 0;
    int cropOffset = 0;
    float[] lens = new float[layouts.size()];
    for (int i = 0; i < layouts.size(); i++) {
      ImageFeatureLayout layout = layouts.get(i);
      int base = cropOffset * featuresPerCrop;
      for (PackedImageToken t : layout.tokens()) {
        int dst = k * d;
        if (t instanceof PackedImageToken.Patch p) {
          System.arraycopy(projected, (base + p.featureRow()) * d, out, dst, d);
        } else if (t instanceof PackedImageToken.ClassToken c) {
          System.arraycopy(projected, (base + c.featureRow()) * d, out, dst, d);
          noPatch[k] = true;
        } else if (t instanceof PackedImageToken.Mixed m) {
          int[] rows = m.featureRows();
          float[] w = m.weights();
          for (int j = 0; j < d; j++) {
            float v = 0f;
            for (int r = 0; r < rows.length; r++) {
              v += projected[(base + rows[r]) * d + j] * w[r];
            }
            out[dst + j] = v;
          }
        } else {
          InvalidInputException.check(newline != null, "the layout of image %s has newline tokens but the model has no "
              + "image_newline", i);
          System.arraycopy(newline, 0, out, dst, d);
          noPatch[k] = true;
        }
        k++;
      }
      lens[i] = layout.tokenCount();
      cropOffset += layout.cropCount();
    }
    InvalidInputException.check((long) cropOffset * featuresPerCrop * d == projected.length,
        "the layouts use %s crops of %s features but %s were projected", cropOffset, featuresPerCrop,
        projected.length / Math.max(1, (long) featuresPerCrop * d));
    if (trace != null) {
      trace.put("packed_image_features", DenseTensor.adopt(new long[] {count, d}, out.clone()));
      trace.put("packed_feature_lens", DenseTensor.adopt(new long[] {lens.length}, lens));
      trace.put("image_features", DenseTensor.adopt(new long[] {count, d}, out.clone()));
    }
    return new ImageFeatures(out, count, noPatch);
  }
}
