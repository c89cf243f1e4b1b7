package org.visualscratchpad.torch.llava;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.trace.DenseTensor;

/**
 * One image as the model takes it: the preprocessed pixels and the original size (anyres families need it
 * for unpadding; LLaVA-1.5 ignores it).
 *
 * <pre>{@code
 * jshell> new ImageInput(pixels, 480, 640)   // pixels: DenseTensor [crops, 3, 336, 336]
 * }</pre>
 *
 * <p>The pixel layout is the family's: {@code [crops, 3, S, S]} for the CLIP and SigLIP families (one crop for
 * LLaVA-1.5; the base image then the tiles, row-major, for LLaVA-NeXT and LLaVA-OneVision; extra all-padding
 * crops beyond what the size implies are ignored); a family whose processor flattens patches passes them as
 * {@code [patches, features]} with its patch grid in {@code grid} (Qwen2-VL's {@code image_grid_thw}). The
 * family's model checks the layout ({@code CpuFamilyModel.checkedCrops}).
 *
 * @param pixels the preprocessed pixels, rank 2 or more
 * @param height original image height in pixels
 * @param width original image width in pixels
 * @param grid the family's patch grid of this image (e.g. {@code [t, h, w]}), empty when the pixels say it all
 */
public record ImageInput(DenseTensor pixels, int height, int width, List<Integer> grid) {
  public ImageInput {
    InvalidInputException.check(pixels != null && pixels.rank() >= 2,
        "image pixels (%s) must be a tensor of rank 2 or more, e.g. [crops, 3, S, S]",
        pixels == null ? "null" : java.util.Arrays.toString(pixels.shape()));
    InvalidInputException.check(height > 0 && width > 0, "image size (%s x %s) must be positive", height, width);
    grid = grid == null ? List.of() : List.copyOf(grid);
  }

  /** An image whose pixels are crops, {@code [crops, 3, S, S]}. */
  public ImageInput(DenseTensor pixels, int height, int width) {
    this(pixels, height, width, List.of());
  }

  /**
   * The model input of an image preprocessed by {@code org.visualscratchpad.torch.input} (CLIP, anyres or a
   * family's processor): its crops stacked as {@code [crops, 3, H, W]} and its original size.
   */
  public static ImageInput from(org.visualscratchpad.torch.input.preprocess.ImageInputs inputs) {
    DenseTensor px = DenseTensor.adopt(new long[] {inputs.cropCount(), 3, inputs.cropHeight(), inputs.cropWidth()},
        inputs.toArray());
    return new ImageInput(px, inputs.imageSize().height(), inputs.imageSize().width());
  }

  /** Number of crops (the pixels' first dimension). */
  public int crops() {
    return (int) pixels.dim(0);
  }

  @Override
  public String toString() {
    return "ImageInput[" + height + "x" + width + ", pixels " + java.util.Arrays.toString(pixels.shape())
        + (grid.isEmpty() ? "" : ", grid " + grid) + "]";
  }
}
