package org.visualscratchpad.torch.input.preprocess;

import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * One image ready for the vision tower: its crops' pixel values, its original size (HF's {@code
 * image_sizes} entry) and how the crops were cut ({@link CropGeometry}).
 *
 * <p>CLIP and LLaVA-1.5 give one crop; LLaVA-NeXT gives the base image then the tiles row-major,
 * exactly the non-padding rows of HF's {@code pixel_values[image]}. Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var in = LlavaNextImageProcessor.of(PreprocessorConfig.llavaNext(336, PreprocessorConfig.LLAVA_NEXT_PINPOINTS)).preprocess(RgbImage.filled(480, 640, 9, 9, 9))
 * in ==> ImageInputs[480x640 (h x w), 5 crops of 3 x 336 x 336, AnyresGeometry[...]]
 * jshell> in.toArray().length   // [5, 3, 336, 336]
 * $2 ==> 1693440
 * }</pre>
 *
 * @param imageSize the original image's (height, width)
 * @param crops one {@code [3 x H x W]} entry per crop, all the same size
 * @param geometry how the crops map back to the original image
 */
public record ImageInputs(ImageSize imageSize, List<PixelValues> crops, CropGeometry geometry) {
  public ImageInputs {
    InvalidInputException.check(imageSize != null && geometry != null, "imageSize and geometry must not be null");
    crops = List.copyOf(crops);
    InvalidInputException.check(!crops.isEmpty(), "an image must have at least one crop");
    InvalidInputException.check(crops.size() == geometry.cropCount(),
        "crop count (%s) must match the geometry's (%s)", crops.size(), geometry.cropCount());
    PixelValues first = crops.get(0);
    for (PixelValues c : crops) {
      InvalidInputException.check(c.height() == first.height() && c.width() == first.width(),
          "every crop must be %s x %s; got %s x %s", first.height(), first.width(), c.height(), c.width());
    }
  }

  /** Number of crops. */
  public int cropCount() {
    return crops.size();
  }

  /** Crop rows. */
  public int cropHeight() {
    return crops.get(0).height();
  }

  /** Crop columns. */
  public int cropWidth() {
    return crops.get(0).width();
  }

  /** All crops' values concatenated: a {@code [crops, 3, H, W]} buffer, row-major. */
  public float[] toArray() {
    int per = crops.get(0).size();
    float[] out = new float[Math.multiplyExact(per, crops.size())];
    for (int crop = 0; crop < crops.size(); crop++) {
      crops.get(crop).copyInto(out, crop * per);
    }
    return out;
  }

  @Override
  public String toString() {
    return "ImageInputs[" + imageSize + ", " + crops.size() + " crop" + (crops.size() == 1 ? "" : "s") + " of 3 x "
        + cropHeight() + " x " + cropWidth() + ", " + geometry + "]";
  }
}
