package org.visualscratchpad.torch.llava;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.trace.DenseTensor;

/**
 * One image as the model takes it: the preprocessed crops and the original size (LLaVA-NeXT needs
 * it for unpadding; LLaVA-1.5 ignores it).
 *
 * <pre>{@code
 * jshell> new ImageInput(pixels, 480, 640)   // pixels: DenseTensor [crops, 3, 336, 336]
 * }</pre>
 *
 * @param pixels {@code [crops, 3, S, S]}: one crop for LLaVA-1.5; the base image then the tiles
 *     (row-major) for LLaVA-NeXT. Extra all-padding crops beyond what the size implies are ignored.
 * @param height original image height in pixels
 * @param width original image width in pixels
 */
public record ImageInput(DenseTensor pixels, int height, int width) {
  public ImageInput {
    InvalidInputException.check(pixels != null && pixels.rank() == 4 && pixels.dim(1) == 3,
        "image pixels (%s) must have shape [crops, 3, S, S]", pixels == null ? "null" : java.util.Arrays.toString(pixels.shape()));
    InvalidInputException.check(height > 0 && width > 0, "image size (%s x %s) must be positive", height, width);
  }

  /**
   * The model input of an image preprocessed by {@code org.visualscratchpad.torch.input} (CLIP or
   * anyres processor): its crops stacked as {@code [crops, 3, H, W]} and its original size.
   */
  public static ImageInput from(org.visualscratchpad.torch.input.preprocess.ImageInputs inputs) {
    DenseTensor px = DenseTensor.adopt(new long[] {inputs.cropCount(), 3, inputs.cropHeight(), inputs.cropWidth()},
        inputs.toArray());
    return new ImageInput(px, inputs.imageSize().height(), inputs.imageSize().width());
  }

  /** Number of crops present. */
  public int crops() {
    return (int) pixels.dim(0);
  }

  @Override
  public String toString() {
    return "ImageInput[" + height + "x" + width + ", " + crops() + " crops of " + pixels.dim(2) + "x" + pixels.dim(3) + "]";
  }
}
