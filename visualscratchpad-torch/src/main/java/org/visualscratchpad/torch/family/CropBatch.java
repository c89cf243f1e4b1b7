package org.visualscratchpad.torch.family;

import java.util.List;
import org.visualscratchpad.torch.llava.ImageInput;

/**
 * The crops of several images laid end to end for one pass of a vision tower that takes square crops of a fixed
 * size (CLIP, SigLIP): their pixels and, per crop, the image it belongs to and its index in that image.
 *
 * @param pixels (crops, 3, size, size), row-major
 * @param image the image of each crop
 * @param cropInImage each crop's index within its image
 */
public record CropBatch(float[] pixels, int crops, int[] image, int[] cropInImage) {

  /** The first {@code cropsPerImage[i]} crops of each image {@code i}, each {@code 3 x size x size}. */
  public static CropBatch of(List<ImageInput> images, int[] cropsPerImage, int size) {
    int n = 0;
    for (int c : cropsPerImage) {
      n += c;
    }
    int each = 3 * size * size;
    float[] all = new float[Math.multiplyExact(n, each)];
    int[] image = new int[n];
    int[] cropInImage = new int[n];
    int at = 0;
    for (int i = 0; i < images.size(); i++) {
      for (int c = 0; c < cropsPerImage[i]; c++) {
        images.get(i).pixels().copySliceInto(c, all, at * each);
        image[at] = i;
        cropInImage[at] = c;
        at++;
      }
    }
    return new CropBatch(all, n, image, cropInImage);
  }
}
